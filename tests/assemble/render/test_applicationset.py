"""The fleet's Argo CD ApplicationSet: the Application it stamps out per edge is the per-edge Application (only
the destination differs), its RollingSync steps follow the waves, and it passes the ApplicationSet CRD's schema."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.assemble.render import documents, helm_values, render_edge_files
from compiler.assemble.render.applicationset import (
    PARAMS_FILE,
    WAVE_LABEL,
    argocd_applicationset,
    rolling_sync_steps,
    wave_order,
)
from compiler.spec.merge import deep_merge
from compiler.spec.model import OutputKind

from .helpers import load_yaml_all, make_release

_FIELD = re.compile(r"\{\{ (toJson )?((?:\.[A-Za-z]+)+) \}\}")


def _lookup(params: dict[str, Any], dotted: str) -> Any:
    value: Any = params
    for key in dotted.strip(".").split("."):
        value = value[key]  # missingkey=error: a KeyError fails the test as Argo CD would fail the generator
    return value


def _fill(text: str, params: dict[str, Any]) -> str:
    """Go-template `{{ .a.b }}` and `{{ toJson .a.b }}`, the only forms the ApplicationSet uses."""
    def one(match: re.Match[str]) -> str:
        value = _lookup(params, match.group(2))
        return json.dumps(value, sort_keys=True) if match.group(1) else str(value)
    return _FIELD.sub(one, text)


def _instantiate(node: Any, params: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {key: _instantiate(value, params) for key, value in node.items()}
    if isinstance(node, list):
        return [_instantiate(value, params) for value in node]
    return _fill(node, params) if isinstance(node, str) else node


def generate(appset: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """What the ApplicationSet controller makes of one parameter file: the template, then the templatePatch."""
    spec = appset["spec"]
    application = _instantiate(copy.deepcopy(spec["template"]), params)
    patch = YAML(typ="safe", pure=True).load(_fill(spec["templatePatch"], params))
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **deep_merge(application, patch)}


def _params(release: Any) -> dict[str, Any]:
    files = render_edge_files(release, [OutputKind.ARGOCD_APPLICATIONSET])
    (path,) = files
    assert path == f"edges/{release.edge}/{PARAMS_FILE}"
    (loaded,) = load_yaml_all(files[path], version=(1, 1))  # Argo CD reads it with a YAML 1.1 reader
    assert isinstance(loaded, dict)
    return loaded


RELEASES = {
    "default": make_release(),
    "labelled-wave": make_release(labels={"ring": "canary", "hw": "rev-a"}, wave="canary", replaced=True),
    "overrides": make_release(overrides={"resources": {"limits": {"cpu": "2"}}, "nodeSelector": {"a": "b"}}),
}


@pytest.mark.parametrize("key", sorted(RELEASES))
def test_the_generated_application_is_the_per_edge_application_on_the_edge_cluster(key: str) -> None:
    release = RELEASES[key]
    appset = argocd_applicationset("https://git.example.com/deploy.git", "main", ".", ["canary"])
    generated = generate(appset, _params(release))
    expected = documents.argocd_application(release, helm_values(release))
    expected["spec"]["destination"] = {"name": release.edge, "namespace": release.edge}
    assert generated == expected


def test_the_generator_reads_the_params_of_every_edge_below_the_tree_path() -> None:
    root = argocd_applicationset("https://h/r.git", "release", ".", [])
    nested = argocd_applicationset("https://h/r.git", "release", "fleet/eu/", [])
    (git,) = (g["git"] for g in root["spec"]["generators"])
    assert (git["repoURL"], git["revision"], git["files"]) == (
        "https://h/r.git", "release", [{"path": "edges/*/argocd-params.yaml"}])
    assert nested["spec"]["generators"][0]["git"]["files"] == [{"path": "fleet/eu/edges/*/argocd-params.yaml"}]
    assert "strategy" not in root["spec"]  # no roll-out: every Application syncs on its own


def _selected(step: dict[str, Any], labels: dict[str, str]) -> bool:
    """Argo CD's RollingSync selection: `In` needs the key; `NotIn` passes an Application without it."""
    for expression in step["matchExpressions"]:
        if expression["key"] in labels:
            if (labels[expression["key"]] in expression["values"]) != (expression["operator"] == "In"):
                return False
        elif expression["operator"] == "In":
            return False
    return True


def test_every_edge_falls_in_exactly_one_step_in_wave_order() -> None:
    waves = wave_order([["canary", "ten-percent", "rest"], ["canary", "west", "rest"]])
    assert waves == ["canary", "ten-percent", "rest", "west"]
    steps = rolling_sync_steps(waves)
    edges = {"a": {WAVE_LABEL: "canary"}, "b": {WAVE_LABEL: "west"}, "c": {WAVE_LABEL: "rest"}, "d": {},
             "e": {"ring": "canary"}}
    chosen = {edge: [i for i, step in enumerate(steps) if _selected(step, labels)] for edge, labels in edges.items()}
    assert chosen == {"a": [0], "b": [3], "c": [2], "d": [4], "e": [4]}


# ------------------------------------------------------------------------------------ the CRD, through node
def _models_dir() -> Path | None:
    found = os.environ.get("EDGEC_ARGOCD_MODELS")
    if found and (Path(found) / "node_modules" / "@kubernetes-models" / "argo-cd").is_dir():
        return Path(found)
    return None


_VALIDATE = """
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { readFileSync } from "node:fs";
const kinds = { ApplicationSet, Application };
for (const doc of JSON.parse(readFileSync(0, "utf8"))) {
  try { new kinds[doc.kind](doc).validate(); console.log("ok"); } catch (e) { console.log("error: " + e.message); }
}
"""


def crd_verdicts(docs: list[dict[str, Any]]) -> list[str]:
    models = _models_dir()
    node = shutil.which("node")
    if models is None or node is None:
        pytest.skip("no @kubernetes-models/argo-cd (set EDGEC_ARGOCD_MODELS, or run bash .ci/run)")
    result = subprocess.run([node, "--input-type=module", "-e", _VALIDATE], input=json.dumps(docs), cwd=models,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.splitlines()


def test_the_applicationset_and_what_it_generates_pass_the_crd_schemas() -> None:
    release = RELEASES["labelled-wave"]
    with_waves = argocd_applicationset("https://git.example.com/deploy.git", "main", ".", ["canary", "rest"])
    without = argocd_applicationset("git@git.example.com:org/deploy.git", "main", "fleet", [])
    rendered = load_yaml_all(render_edge_files(release, [OutputKind.ARGOCD])[f"edges/{release.edge}/application.yaml"])
    assert crd_verdicts([with_waves, without, generate(with_waves, _params(release)), *rendered]) == ["ok"] * 4


def test_the_crd_check_catches_a_wrong_step() -> None:
    broken = argocd_applicationset("https://git.example.com/deploy.git", "main", ".", ["canary"])
    broken["spec"]["strategy"]["rollingSync"]["steps"][0]["matchExpressions"][0]["values"] = "canary"
    broken_template = argocd_applicationset("https://git.example.com/deploy.git", "main", ".", [])
    del broken_template["spec"]["template"]["spec"]["destination"]
    verdicts = crd_verdicts([broken, broken_template])
    assert [v.split(" ")[0] for v in verdicts] == ["error:", "error:"], verdicts
    assert "values" in verdicts[0] and "destination" in verdicts[1]
