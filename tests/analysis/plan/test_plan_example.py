"""The house-price example (reference/inline-model-updates.txt) end to end: specs -> graph -> plan JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan
from compiler.load.load_root import load_specs

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "house-price"
EDGE = "houseprice-edge-inline-demonstration"


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    validation = load_specs(EXAMPLE)
    graph, diagnostics = build_graph(validation.specs)
    return build_plan(validation.specs, graph, {}, [*validation.diagnostics, *diagnostics],
                      registry="localhost:5000/edge").to_json()


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows}


def test_the_edge_runs_the_new_pipeline_publish(plan: dict[str, Any]) -> None:
    edge = _by_name(plan["edges"])[EDGE]
    assert (edge["publish"], edge["pipeline"], edge["version"]) == ("new-pipeline-pub", "new-edge-inline-replacement",
                                                                    "v1")
    assert edge["addedTo"] == "pub"
    assert edge["history"] == ["pub", "new-pub", "new-pipeline-pub"]
    assert edge["logPipelines"] == ["edge-inline-replacement-demon", "new-edge-inline-replacement"]


def test_the_old_pipeline_lists_no_edge_but_keeps_its_logs(plan: dict[str, Any]) -> None:
    pipelines = _by_name(plan["pipelines"])
    assert pipelines["edge-inline-replacement-demon"] == {"name": "edge-inline-replacement-demon", "edges": [],
                                                          "logEdges": [EDGE]}
    assert pipelines["new-edge-inline-replacement"]["edges"] == [EDGE]


def test_replacement_kinds(plan: dict[str, Any]) -> None:
    kinds = {r["publish"]: (r["replaces"], r["kind"], r["edges"], r["findings"]) for r in plan["replacements"]}
    assert kinds == {"new-pub": ("pub", "version-update", [EDGE], []),
                     "new-pipeline-pub": ("new-pub", "pipeline-transfer", [EDGE], [])}
    transfer = next(r for r in plan["replacements"] if r["publish"] == "new-pipeline-pub")
    assert transfer["from"] == {"pipeline": "edge-inline-replacement-demon", "version": "v2"}
    assert transfer["to"] == {"pipeline": "new-edge-inline-replacement", "version": "v1"}


def test_the_rf_assay_is_paused(plan: dict[str, Any]) -> None:
    update = next(r for r in plan["replacements"] if r["publish"] == "new-pub")
    (paused,) = update["assays"]
    assert (paused["name"], paused["action"], paused["model"]) == ("rf-price-drift", "pause",
                                                                   "rf-house-price-estimator")
    assert paused["create"]["model"] == "xgb-house-price-estimator"
    (net,) = plan["assays"]
    assert net["action"] == "pause"
    assert net["create"] == [{"pipeline": "new-edge-inline-replacement", "model": "gbr-house-price-estimator",
                              "iopath": "output variable 0"}]


def test_publishes_and_summary(plan: dict[str, Any]) -> None:
    publishes = _by_name(plan["publishes"])
    assert publishes["pub"]["replacedBy"] == "new-pub" and not publishes["pub"]["active"]
    assert publishes["new-pipeline-pub"]["active"] and publishes["new-pipeline-pub"]["replacedBy"] is None
    assert plan["summary"]["edgesMoved"] == 1 and plan["summary"]["assaysToPause"] == 1
    assert plan["diagnostics"] == [] and plan["clientImpacts"] == []
    assert [p["name"] for p in plan["publishes"]] == sorted(publishes)
