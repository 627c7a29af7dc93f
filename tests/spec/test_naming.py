"""Artifact naming has one home: every output takes its names from `compiler.spec.naming`.

The end-to-end test computes what each output must say from the naming functions, and the source scan proves no
other module spells the layout out itself; together they mean that changing a constant there changes plan.json,
the lock, the values devices pull, the GitOps documents and the operator commands alike.
"""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path

import yaml

from compiler.assemble.oci_objects import Artifact
from compiler.compile.stages import build
from compiler.spec import naming

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "house-price"
PACKAGE = REPO / "compiler"


def test_names_of_one_version() -> None:
    assert naming.pipeline_repository("p") == f"{naming.PIPELINES}/p" == "pipelines/p"
    assert naming.chart_repository("p") == f"{naming.CHARTS}/p" == "charts/p"
    assert naming.chart_version("v2") == f"{naming.CHART_VERSION_BASE}-v2" == "0.0.1-v2"
    assert naming.charts_location("r.io/x") == "r.io/x/charts"
    assert naming.chart_url("r.io/x", "p") == "oci://r.io/x/charts/p"
    assert naming.pipeline_tag_url("r.io/x", "p", "v2") == "r.io/x/pipelines/p:v2"
    assert naming.pipeline_digest_url("r.io/x", "p", "sha256:ab") == "r.io/x/pipelines/p@sha256:ab"


def test_every_output_names_artifacts_through_naming() -> None:
    built = build(EXAMPLE)
    assert built.ok and built.plan is not None
    registry = built.analysis.registry
    lock = json.loads(built.files["edgec.lock.json"])
    plan = json.loads(built.files["plan.json"])
    publishes = {p["name"]: p for p in plan["publishes"]}
    assert lock["publishes"] and set(lock["publishes"]) == set(publishes)
    for name, entry in lock["publishes"].items():
        pipeline, version = entry["pipeline"], entry["version"]
        artifacts = built.artifacts[name]
        assert entry["pipelineArtifact"] == naming.pipeline_tag_url(registry, pipeline, version)
        assert entry["chart"] == naming.chart_url(registry, pipeline)
        assert entry["chartVersion"] == naming.chart_version(version)
        pinned = naming.pipeline_digest_url(registry, pipeline, entry["pipelineDigest"])
        assert publishes[name]["pipelineUrl"] == pinned
        assert publishes[name]["chart"] == {"url": naming.chart_url(registry, pipeline),
                                            "version": naming.chart_version(version)}
        assert _named(artifacts.pipeline, naming.pipeline_repository(pipeline), version)
        assert _named(artifacts.chart, naming.chart_repository(pipeline), naming.chart_version(version))
    edges = [json.loads(data) for path, data in sorted(built.files.items())
             if path.startswith("edges/") and path.endswith("/plan.json")]
    assert edges
    for edge in edges:
        entry = lock["publishes"][edge["publish"]]
        pinned = naming.pipeline_digest_url(registry, entry["pipeline"], entry["pipelineDigest"])
        values = yaml.safe_load(built.files[f"edges/{edge['name']}/values.yaml"])
        assert values["engine"]["pipelineUrl"] == pinned
        assert f"PIPELINE_URL={pinned}\n" in base64.b64decode(values["edgeBundle"]).decode()
        application = yaml.safe_load(built.files[f"edges/{edge['name']}/application.yaml"])
        source = application["spec"]["source"]
        assert source["repoURL"] == naming.charts_location(registry)
        assert source["targetRevision"] == naming.chart_version(entry["version"])
        flux = list(yaml.safe_load_all(built.files[f"edges/{edge['name']}/helmrelease.yaml"]))
        repository = next(d for d in flux if d["kind"] == "OCIRepository")
        assert repository["spec"]["url"] == naming.chart_url(registry, entry["pipeline"])
        helm = edge["commands"]["helm"]
        assert f" {naming.chart_url(registry, entry['pipeline'])} " in helm
        assert f"--version {naming.chart_version(entry['version'])} " in helm


def _named(artifact: Artifact, repository: str, tag: str) -> bool:
    return artifact.repository == repository and artifact.tag == tag


#: What would spell the registry layout out: the folder names and the chart version base.
_LAYOUT = (f"{naming.PIPELINES}/", f"/{naming.CHARTS}", f"{naming.CHARTS}/", naming.CHART_VERSION_BASE)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_other_module_spells_the_layout_out() -> None:
    found = [f"{path.relative_to(REPO)}:{line}: {text!r}"
             for path in sorted(PACKAGE.rglob("*.py")) if path != PACKAGE / "spec" / "naming.py"
             for line, text in _code_strings(path)
             if any(part in text for part in _LAYOUT)]
    assert found == []


def test_the_scan_sees_f_string_parts(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""pipelines/ in a docstring is fine."""\nX = f"{1}/charts/{2}"\n')
    assert _code_strings(module) == [(2, "/charts/")]
