"""Plan building blocks: findings and client impacts from the compatibility checks, pinned URLs, the registry."""

from __future__ import annotations

from pathlib import Path

from compiler.analysis.compatibility import check_replacements
from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import doc, edge, pipeline, publish, write_root


def test_findings_and_client_impacts_come_from_the_compatibility_checks(tmp_path: Path) -> None:
    root = write_root(tmp_path / "r", {"s.yaml": [publish("a", "pb", "v1"), publish("b", "pb", "v2", ["a"]),
                                                  edge("e1", "a")]})
    validation = load_specs(root)
    graph, diagnostics = build_graph(validation.specs)
    checks, _ = check_replacements(validation.specs, graph)
    plan = build_plan(validation.specs, graph, checks, diagnostics, registry="reg")
    (replacement,) = plan.replacements
    assert replacement.findings == checks[("b", "a")].verdicts  # typed values until the JSON printer
    assert [v.finding.rule for v in replacement.findings] == ["FIELD_ADDED_REQUIRED"]
    data = plan.to_json()
    assert data["replacements"][0]["findings"][0]["fails"] is True
    (impact,) = data["clientImpacts"]  # pb v1 (mb: x) -> pb v2 (mwide: x, w)
    assert (impact["publish"], impact["replaces"], impact["edges"]) == ("b", "a", ["e1"])
    assert impact["changes"] == ["in.w: new required field (int64); existing clients' requests may fail"]
    assert plan.summary.client_impacts == 1 and plan.summary.findings == 1
    assert data["replacements"][0]["logSchema"] == [{"column": "in.x", "type": "float32"},
                                                    {"column": "in.w", "type": "int64"},
                                                    {"column": "out.y", "type": "float32"}]


def test_a_description_change_is_no_client_impact(tmp_path: Path) -> None:
    x = {"name": "x", "type": "float32"}
    models = [doc("Model", name, framework="onnx", artifact="m.onnx", inputSchema=[schema],
                  outputSchema=[{"name": "y", "type": "float32"}])
              for name, schema in (("d1", x), ("d2", {**x, "description": "metres"}))]
    root = write_root(tmp_path / "r", {"s.yaml": [*models, pipeline("pd", ["d1"], ["d2"]), publish("a", "pd", "v1"),
                                                  publish("b", "pd", "v2", ["a"]), edge("e1", "a")]})
    validation = load_specs(root)
    graph, diagnostics = build_graph(validation.specs)
    checks, _ = check_replacements(validation.specs, graph)
    assert build_plan(validation.specs, graph, checks, diagnostics, registry="reg").client_impacts == ()


def test_pinned_pipeline_urls_replace_the_tag_form(tmp_path: Path) -> None:
    root = write_root(tmp_path / "r", {"s.yaml": [publish("a", "pa", "v1"), publish("b", "pa", "v2"),
                                                  edge("e1", "a"), edge("e2", "b")]})
    validation = load_specs(root)
    graph, _ = build_graph(validation.specs)
    data = build_plan(validation.specs, graph, {}, [], registry="reg",
                      pipeline_urls={"a": "reg/pipelines/pa@sha256:ab"}).to_json()
    assert {p["name"]: p["pipelineUrl"] for p in data["publishes"]} == {"a": "reg/pipelines/pa@sha256:ab",
                                                                        "b": "reg/pipelines/pa:v2"}


def test_the_configured_registry_wins(tmp_path: Path) -> None:
    root = write_root(tmp_path / "r", {"s.yaml": [publish("a", "pa", "v1"), edge("e1", "a")]})
    (root / "edgec.yaml").write_text("apiVersion: edgec.dev/v1\nkind: Config\nspec: {registry: r.example/x}\n")
    validation = load_specs(root)
    graph, _ = build_graph(validation.specs)
    data = build_plan(validation.specs, graph, {}, [], registry="fallback").to_json()
    assert data["publishes"][0]["pipelineUrl"] == "r.example/x/pipelines/pa:v1"
