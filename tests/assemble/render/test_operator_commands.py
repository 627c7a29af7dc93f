"""Operator commands from the rendered values: helm 4 flags, no credentials, docker with the same engine."""

from __future__ import annotations

import base64
import json
import shlex

import pytest

from compiler.assemble.render import helm_values
from compiler.assemble.render.operator_commands import commands_for, docker_memory
from compiler.spec.model import EngineConfig

from .helpers import make_release


@pytest.mark.parametrize(("quantity", "docker"), [("3Gi", "3g"), ("512Mi", "512m"), ("1.5Gi", "1536m"),
                                                  ("1G", "1000000000"), ("2Ki", "2k")])
def test_docker_memory(quantity: str, docker: str) -> None:
    assert docker_memory(quantity) == docker


def _commands(**changes: object) -> tuple[dict, object]:
    release = make_release(**changes)
    values = helm_values(release)
    return values, commands_for(values, registry=release.registry, pipeline=release.pipeline,
                                version=release.version, moved=release.replaced,
                                insecure_registry=release.insecure_registry)


def test_helm_sets_every_value_as_json_and_no_credential() -> None:
    values, commands = _commands()
    words = shlex.split(commands.helm)
    assert words[:4] == ["helm", "install", "$HELM_INSTALL_NAME", "oci://localhost:5000/edge/charts/"
                         "edge-inline-replacement-demon"]
    assert "--rollback-on-failure" in words and "--atomic" not in words and "--plain-http" not in words
    set_json = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "--set-json")
    assert {k: json.loads(v) for k, v in set_json.items()} == values
    assert "password" not in commands.helm.lower() and "username" not in commands.helm.lower()


def test_a_moved_edge_upgrades_and_a_plain_http_registry_says_so() -> None:
    _, commands = _commands(replaced=True, insecure_registry=True)
    assert commands.helm.startswith("helm upgrade ") and " --plain-http " in commands.helm
    assert commands.mode == "upgrade"


def test_docker_runs_the_same_engine_with_its_gpus() -> None:
    values, commands = _commands(engine=EngineConfig(cpus=2.5, memory="6Gi", gpus=2),
                                 overrides={"engine": {"memory": "8Gi"}})
    words = shlex.split(commands.docker)
    assert "--gpus=2" in words and "--cpus=2.5" in words and "--memory=8g" in words
    env = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "-e" and "=" in words[i + 1])
    assert env["PIPELINE_URL"] == values["engine"]["pipelineUrl"] and env["CONFIG_CPUS"] == "3"
    assert env["EDGE_BUNDLE"] == values["edgeBundle"]
    assert "JOIN_TOKEN" not in base64.b64decode(env["EDGE_BUNDLE"]).decode()
    assert words[-1] == f"{values['image']['repository']}:{values['image']['tag']}"
    _, without = _commands()
    assert "--gpus" not in without.docker


@pytest.mark.parametrize("replaced", [False, True])
def test_docker_passes_the_join_token_by_name_and_a_replacement_omits_it(replaced: bool) -> None:
    values, commands = _commands(ops_center_host="ops.example.com", replaced=replaced)
    words = shlex.split(commands.docker)
    env = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "-e" and "=" in words[i + 1])
    passed = [words[i + 1] for i, w in enumerate(words) if w == "-e" and "=" not in words[i + 1]]
    assert env["OPSCENTER_HOST"] == "ops.example.com"
    if replaced:
        assert env["JOIN_TOKEN"] == "omitted_for_replace" and "JOIN_TOKEN" not in passed
    else:
        assert "JOIN_TOKEN" not in env and passed == ["OCI_USERNAME", "OCI_PASSWORD", "JOIN_TOKEN"]
    assert env["EDGE_BUNDLE"] == values["edgeBundle"]


def test_docker_gives_the_container_the_sidekicks_share_too() -> None:
    values, commands = _commands(sidekicks=("llm",), engine=EngineConfig(cpus=2.5, memory="3Gi"))
    words = shlex.split(commands.docker)
    assert "--cpus=3.5" in words and "--memory=3584m" in words  # Wallaroo: --cpus=<engine + sidekicks>
    env = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "-e" and "=" in words[i + 1])
    assert env["CONFIG_CPUS"] == "3"  # the engine's own, as in the bundle
    assert values["resources"]["limits"] == {"cpu": "3.5", "memory": "3584Mi"}


def test_docker_passes_the_extra_env_the_chart_gives_the_engine() -> None:
    secret_ref = {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
    _, commands = _commands(sidekicks=("llm",), overrides={
        "engine": {"extraEnv": [{"name": "LOG_LEVEL", "value": "debug info"}, secret_ref]},
        "engineAux": {"env": [{"name": "HF_HOME", "value": "/persist/hf"}]}})
    words = shlex.split(commands.docker)
    env = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "-e" and "=" in words[i + 1])
    passed = [words[i + 1] for i, w in enumerate(words) if w == "-e" and "=" not in words[i + 1]]
    assert env["LOG_LEVEL"] == "debug info" and env["HF_HOME"] == "/persist/hf"
    assert "API_TOKEN" in passed and "secretKeyRef" not in commands.docker  # from the operator's environment
    _, native = _commands(overrides={"engineAux": {"env": [{"name": "HF_HOME", "value": "x"}]}})
    assert "HF_HOME" not in native.docker  # no sidekick: the chart does not add engineAux.env either
