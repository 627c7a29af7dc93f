"""The operator commands in edges/<edge>/plan.json render exactly what values.yaml renders: the real helm, the
real registry."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.cli.main import main
from compiler.compile.stages import build
from tests.assemble.render.helpers import Helm
from tests.compile.conftest import commit_all, configure, edit
from tests.support.registry import RegistryServer

pytestmark = pytest.mark.integration

OVERRIDES = """  values:
    replicas: 2
    nodeSelector: {zone: a}
    engine: {extraEnv: [{name: LOG_LEVEL, value: debug}]}
    podAnnotations: {team: vision}
"""


def _objects(text: str) -> list[Any]:
    return sorted((d for d in YAML(typ="safe").load_all(text) if d), key=lambda d: (d["kind"], d["metadata"]["name"]))


def test_the_helm_command_of_every_edge_renders_its_values(spec_root: Path, remote: Path, registry: RegistryServer,
                                                         helm: Helm, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    with (spec_root / "edgec.yaml").open("a") as config:
        config.write("  opsCenterHost: ops.example.com\n")
    edit(spec_root / "specs" / "edges.yaml", "  accel: none\n", "  accel: none\n" + OVERRIDES)
    with (spec_root / "specs" / "edges.yaml").open("a") as edges:  # an edge added to the newest publish: never moved
        edges.write("---\napiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: store-new}\n"
                    "spec: {publish: new-pipeline-pub}\n")
    models = spec_root / "specs" / "models.yaml"  # the newest publish's model runs in a sidekick
    gbr = models.read_text().index("name: gbr-house-price-estimator")
    models.write_text(models.read_text()[:gbr] + models.read_text()[gbr:].replace(
        "framework: onnx", "framework: hugging-face-text-classification", 1))
    commit_all(spec_root, "test registry, per-edge overrides, an Ops center, a sidekick")
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0  # pushes the charts the commands pull
    capsys.readouterr()
    built = build(spec_root)
    plan = json.loads(built.files["plan.json"])
    edges = [json.loads(data) for path, data in sorted(built.files.items())
             if path.startswith("edges/") and path.endswith("/plan.json")]
    assert edges
    moved: set[bool] = set()
    for edge in edges:
        name, command = edge["name"], edge["commands"]["helm"]
        assert "--atomic" not in command and "ociRegistry.password" not in command and "--plain-http" in command
        words = shlex.split(command.replace("$HELM_INSTALL_NAME", "edge-engine")
                            .replace("$HELM_INSTALL_NAMESPACE", name))
        assert words[:2] == ["helm", "upgrade" if edge["moved"] else "install"]
        from_command = helm.run("template", *words[2:]).stdout
        values_file = tmp_path / f"{name}.yaml"
        values_file.write_bytes(built.files[f"edges/{name}/values.yaml"])
        chart = plan_chart(plan, edge["publish"])
        from_values = helm.run("template", "edge-engine", chart["url"], "--version", chart["version"],
                               "--namespace", name, "--plain-http", "-f", str(values_file)).stdout
        assert _objects(from_command) == _objects(from_values)
        (deployment,) = [d for d in _objects(from_command) if d["kind"] == "Deployment"]
        assert deployment["spec"]["replicas"] == (2 if edge["moved"] else 1)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["PIPELINE_URL"] == edge_values(built, name)["engine"]["pipelineUrl"] != ""
        assert edge["publish"] == "new-pipeline-pub"  # engine 4 CPUs, 3Gi, plus one sidekick's 1 CPU, 512Mi
        assert container["resources"]["limits"] == {"cpu": "5", "memory": "3584Mi"}
        assert "--cpus=5 --memory=3584m" in edge["commands"]["docker"]
        assert env["OPSCENTER_HOST"] == "ops.example.com"
        token = next(e for e in container["env"] if e["name"] == "JOIN_TOKEN")
        assert token == ({"name": "JOIN_TOKEN", "value": "omitted_for_replace"} if edge["moved"] else
                         {"name": "JOIN_TOKEN", "valueFrom": {"secretKeyRef": {"name": f"{name}-join-token",
                                                                               "key": "token"}}})
        moved.add(edge["moved"])
    assert moved == {True, False}  # both a first install and a replacement went through helm


def plan_chart(plan: dict[str, Any], publish: str) -> dict[str, str]:
    return next(p["chart"] for p in plan["publishes"] if p["name"] == publish)


def edge_values(built: Any, edge: str) -> dict[str, Any]:
    return dict(YAML(typ="safe").load(built.files[f"edges/{edge}/values.yaml"]))
