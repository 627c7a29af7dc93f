"""Plan building blocks: commands, quantities, seams for findings and client impacts."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan, docker_memory, plain_input_changes
from compiler.analysis.plan.operator_commands import Target, commands_for
from compiler.analysis.schemadiff import apply_policy, diff_schemas
from compiler.load.load_root import load_specs
from compiler.spec.model import Compatibility, DataType, SchemaField
from tests.analysis.graph.specfiles import edge, publish, write_root


@pytest.mark.parametrize(("quantity", "docker"), [("3Gi", "3g"), ("512Mi", "512m"), ("1.5Gi", "1536m"),
                                                  ("1G", "1000000000"), ("2Ki", "2k")])
def test_docker_memory(quantity: str, docker: str) -> None:
    assert docker_memory(quantity) == docker




def test_a_new_edge_gets_helm_install_and_a_bundle_without_secrets() -> None:
    target = Target("e1", "pa", "v1", "x86", "none", 0.5, "1Gi", "reg/pipelines/pa:v1", moved=False)
    commands = commands_for(target, registry="reg", image="img:v1")
    assert commands.helm.startswith("helm install --atomic $HELM_INSTALL_NAME oci://reg/charts/pa")
    bundle = commands.helm.rsplit("edgeBundle=", 1)[1]
    text = base64.b64decode(bundle).decode()
    assert "export EDGE_NAME=e1\n" in text and "export CONFIG_CPUS=1\n" in text and "JOIN_TOKEN" not in text
    assert "--cpus=0.5" in commands.docker and "--memory=1g" in commands.docker


def test_input_changes() -> None:
    x, y = SchemaField(name="x", type="float32"), SchemaField(name="y", type="int64")
    assert plain_input_changes([x], [x.model_copy(update={"description": "doc"})]) == []
    assert plain_input_changes([x], [x, y]) == ["in.y added"]
    assert plain_input_changes([x, y], [SchemaField(name="x", type="float64")]) == ["in.x changed", "in.y removed"]


def test_seams_fill_findings_and_client_impacts(tmp_path: Path) -> None:
    root = write_root(tmp_path / "r", {"s.yaml": [publish("a", "pb", "v1"), publish("b", "pb", "v2", ["a"]),
                                                  edge("e1", "a")]})
    validation = load_specs(root)
    graph, diagnostics = build_graph(validation.specs)
    [finding] = diff_schemas([], [], [SchemaField(name="w", type=DataType.INT8)], [])
    verdicts = apply_policy([finding], Compatibility.BACKWARD)
    plan = build_plan(validation.specs, graph, diagnostics, registry="reg",
                      findings_for=lambda r: verdicts if r.publish == "b" else [])
    assert plan.replacements[0].findings == tuple(verdicts)  # typed values until the JSON printer
    data = plan.to_json()
    assert data["replacements"][0]["findings"] == [{**finding.to_json(), "fails": True, "acknowledged": False}]
    (impact,) = data["clientImpacts"]  # pb v1 (mb: x) -> pb v2 (mwide: x, w)
    assert (impact["publish"], impact["edges"], impact["changes"]) == ("b", ["e1"], ["in.w added"])
    assert plan.summary.client_impacts == 1 and plan.summary.findings == 1


def test_the_configured_registry_wins(tmp_path: Path) -> None:
    root = write_root(tmp_path / "r", {"s.yaml": [publish("a", "pa", "v1"), edge("e1", "a")]})
    (root / "edgec.yaml").write_text("apiVersion: edgec.dev/v1\nkind: Config\nspec: {registry: r.example/x}\n")
    validation = load_specs(root)
    graph, _ = build_graph(validation.specs)
    data = build_plan(validation.specs, graph, [], registry="fallback").to_json()
    assert data["publishes"][0]["pipelineUrl"] == "r.example/x/pipelines/pa:v1"
