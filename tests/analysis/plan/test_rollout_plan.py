"""The plan of a roll-out in progress (examples/fleet) in every format: waves in order, their edges, moved / next /
waiting, and the soak left once the deployment history is known."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from compiler.analysis.graph import build_graph
from compiler.analysis.plan import Plan, build_plan
from compiler.analysis.plan.rollouts import WaveClock, rollout_plans
from compiler.load.load_root import load_specs
from compiler.report.graph_format import to_dot, to_mermaid
from compiler.report.plan_markdown import render_plan_markdown
from compiler.report.plan_text import render_plan_text

FLEET = Path(__file__).resolve().parents[3] / "examples" / "fleet"
CANARY = ("store-north-01", "store-south-01")
EARLY = ("store-south-03", "store-west-01")


@pytest.fixture(scope="module")
def plan() -> Plan:
    validation = load_specs(FLEET)
    assert validation.diagnostics == []
    graph, diagnostics = build_graph(validation.specs)
    assert diagnostics == []
    return build_plan(validation.specs, graph, {}, diagnostics, registry="localhost:5000/edge")


def test_json_lists_each_rollout_with_its_waves_in_order(plan: Plan) -> None:
    (rollout,) = json.loads(json.dumps(plan.to_json()))["rollouts"]
    assert (rollout["publish"], rollout["replaces"], rollout["promoted"], rollout["next"], rollout["complete"]) == \
        ("demand-v2", ["demand-v1"], "canary", "early", False)
    assert [(w["name"], w["state"], w["soak"], tuple(w["edges"])) for w in rollout["waves"]] == [
        ("canary", "moved", "2h", CANARY), ("early", "next", "1d", EARLY),
        ("rest", "waiting", None, ("store-north-02", "store-north-03", "store-south-02", "store-west-02",
                                   "store-west-03", "store-west-04"))]
    assert "movedBy" not in rollout["waves"][0]  # no history read: a rendered plan.json carries no times
    (replacement,) = plan.to_json()["replacements"]
    assert replacement["edges"] == list(CANARY)
    assert [(a["name"], a["action"], a["afterWave"]) for a in replacement["assays"]] == \
        [("demand-rf-drift", "pending", "rest")]
    assert [a["action"] for a in plan.to_json()["assays"]] == ["keep"]


def test_soak_left_comes_from_the_clock_of_the_commit_that_moved_the_wave(plan: Plan) -> None:
    clocks = {("demand-v2", "canary"): WaveClock("abc123", 1_000_000)}
    (timed,) = rollout_plans(plan.graph, clocks, now=1_000_000 + 1800)
    assert timed.waves[0].soak_left == 5400 and timed.waves[1].soak_left is None
    text = render_plan_text(dataclasses.replace(plan, rollouts=(timed,)))
    assert "moved (soak 2h, 1h30m left)" in text
    (done,) = rollout_plans(plan.graph, clocks, now=1_000_000 + 7200)
    assert "moved (soak 2h, done)" in render_plan_text(dataclasses.replace(plan, rollouts=(done,)))
    waves = done.to_json()["waves"]
    assert waves[0]["movedBy"] == {"commit": "abc123", "time": 1_000_000} and waves[0]["soakLeft"] == 0


def test_text_shows_waves_in_order_with_states(plan: Plan) -> None:
    text = render_plan_text(plan)
    assert "roll-out demand-v2 (replaces demand-v1; promoted: canary, next: early)" in text
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("roll-out demand-v2 (replaces demand-v1; promoted: canary, next: early)")
    assert lines[start + 1].startswith("1. canary  moved (soak 2h)  2 edges: store-north-01, store-south-01")
    assert lines[start + 2].startswith("2. early   next (soak 1d)  2 edges: store-south-03, store-west-01")
    assert lines[start + 3].startswith("3. rest    waiting  6 edges: store-north-02")
    assert "after wave rest, pause assay demand-rf-drift" in text


def test_markdown_has_a_table_per_rollout(plan: Plan) -> None:
    markdown = render_plan_markdown(plan)
    assert "#### Roll-out of `demand-v2` (replaces `demand-v1`)" in markdown
    assert "| 1 | `canary` | moved \\(soak 2h\\) | 2: `store-north-01`, `store-south-01` |" in markdown
    assert "| 2 | `early` | next \\(soak 1d\\) | 2: `store-south-03`, `store-west-01` |" in markdown


def test_pictures_label_the_link_and_each_edge_with_its_wave(plan: Plan) -> None:
    mermaid = to_mermaid(plan.graph)
    assert "-->|version-update, promoted: canary, next: early|" in mermaid
    assert '[/"store-north-01 #40;canary#41;"/] -.- p1' in mermaid
    assert '[/"store-west-01 #40;early, waiting#41;"/] -.- p0' in mermaid
    dot = to_dot(plan.graph)
    assert 'label="version-update, promoted: canary, next: early"' in dot
    assert 'label="store-west-01 (early, waiting)"' in dot
