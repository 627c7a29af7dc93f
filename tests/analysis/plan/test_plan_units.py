"""Plan building blocks: commands, quantities, seams for findings and client impacts."""

from __future__ import annotations

from pathlib import Path

from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan, plain_input_changes
from compiler.analysis.schemadiff import apply_policy, diff_schemas
from compiler.load.load_root import load_specs
from compiler.spec.model import Compatibility, DataType, SchemaField
from tests.analysis.graph.specfiles import edge, publish, write_root


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
