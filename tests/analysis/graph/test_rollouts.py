"""Staged roll-outs in the graph (SPEC section 7): a link is taken only by the edges of its promoted waves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.analysis.graph import TransferGraph, build_graph
from compiler.analysis.graph.waves import format_duration, share, soak_seconds
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import assay, doc, publish, write_root

CANARY = {"name": "canary", "selector": {"matchLabels": {"ring": "canary"}}, "soak": "2h"}
REST = {"name": "rest"}


def labelled(name: str, on: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    document = doc("EdgeLocation", name, publish=on, **spec)
    if labels:
        document["metadata"]["labels"] = labels
    return document


def rollout(*waves: dict[str, Any], promoted: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"waves": list(waves), **extra}
    if promoted is not None:
        out["promoted"] = promoted
    return out


def _graph(tmp_path: Path, *documents: dict[str, Any], name: str = "root") -> TransferGraph:
    validation = load_specs(write_root(tmp_path / name, {"specs.yaml": documents}))
    assert validation.diagnostics == []
    graph, diagnostics = build_graph(validation.specs)
    assert [d for d in diagnostics if d.is_error] == []
    return graph


def _fleet(**new_extra: Any) -> list[dict[str, Any]]:
    return [
        publish("old", "pa", "v1"),
        publish("new", "pa", "v2", ["old"], **new_extra),
        labelled("c1", "old", {"ring": "canary"}), labelled("c2", "old", {"ring": "canary"}),
        labelled("r1", "old"), labelled("r2", "old", {"ring": "main"}),
    ]


def _where(graph: TransferGraph) -> dict[str, str]:
    return {name: e.publish for name, e in graph.edges.items()}


def _shape(graph: TransferGraph) -> Any:
    """Everything a printer shows of edges, publishes, pipelines and replacements (not the roll-out itself)."""
    return (
        {n: (e.publish, e.pipeline, e.version, list(e.history), e.log_pipelines, e.moved)
         for n, e in graph.edges.items()},
        {n: (p.active, p.replaced_by, p.root) for n, p in graph.publishes.items()},
        {n: (p.edges, p.log_edges) for n, p in graph.pipelines.items()},
        [(r.publish, r.replaces, r.edges.names(), len(r.edges), [(a.name, a.action) for a in r.assays])
         for r in graph.replacements],
    )


def test_nothing_promoted_moves_nothing_and_the_replaced_publish_stays_active(tmp_path: Path) -> None:
    graph = _graph(tmp_path, *_fleet(rollout=rollout(CANARY, REST)))
    assert _where(graph) == {"c1": "old", "c2": "old", "r1": "old", "r2": "old"}
    assert graph.publishes["old"].active and graph.publishes["new"].active
    assert graph.publishes["old"].waiting == ("c1", "c2", "r1", "r2")
    (r,) = graph.replacements
    assert r.edges.names() == () and len(r.edges) == 0
    node = graph.rollouts["new"]
    assert node.promoted is None
    assert [(w.name, w.edges, w.state) for w in node.waves] == [
        ("canary", ("c1", "c2"), "next"), ("rest", ("r1", "r2"), "waiting")]
    assert all(not e.moved and e.wave is None for e in graph.edges.values())


def test_canary_promoted_moves_only_the_canary(tmp_path: Path) -> None:
    graph = _graph(tmp_path, *_fleet(rollout=rollout(CANARY, REST, promoted="canary")))
    assert _where(graph) == {"c1": "new", "c2": "new", "r1": "old", "r2": "old"}
    (r,) = graph.replacements
    assert r.edges.names() == ("c1", "c2") and len(r.edges) == 2
    assert list(graph.edges["c1"].history) == ["old", "new"] and graph.edges["c1"].wave == ("new", "canary")
    assert list(graph.edges["r1"].history) == ["old"] and not graph.edges["r1"].moved
    assert [w.state for w in graph.rollouts["new"].waves] == ["moved", "next"]
    assert graph.rollouts["new"].next_wave is not None and graph.rollouts["new"].next_wave.name == "rest"


def test_all_promoted_is_identical_to_no_rollout(tmp_path: Path) -> None:
    staged = _graph(tmp_path, *_fleet(rollout=rollout(CANARY, REST, promoted="rest")), name="staged")
    plain = _graph(tmp_path, *_fleet(), name="plain")
    assert _shape(staged) == _shape(plain)
    assert staged.rollouts["new"].complete and not plain.rollouts
    assert staged.edges["r1"].wave == ("new", "rest")


def test_a_chain_replacing_a_publish_mid_rollout(tmp_path: Path) -> None:
    """`newer` replaces `new` while `new` rolls out: the canary moves on to `newer`, the rest stays on `old`
    until `new` promotes it, and then moves straight through."""
    def fleet(promoted: str) -> list[dict[str, Any]]:
        return [*_fleet(rollout=rollout(CANARY, REST, promoted=promoted)),
                publish("newer", "pb", "v1", ["new"]), labelled("n1", "new")]

    graph = _graph(tmp_path, *fleet("canary"), name="mid")
    assert _where(graph) == {"c1": "newer", "c2": "newer", "n1": "newer", "r1": "old", "r2": "old"}
    assert list(graph.edges["c1"].history) == ["old", "new", "newer"]
    assert graph.edges["c1"].log_pipelines == ("pa", "pb")
    assert graph.edges["r1"].log_pipelines == ("pa",)
    moves = {(r.publish, r.replaces): r.edges.names() for r in graph.replacements}
    assert moves == {("new", "old"): ("c1", "c2"), ("newer", "new"): ("c1", "c2", "n1")}
    assert graph.pipelines["pb"].edges == ("c1", "c2", "n1")
    assert graph.pipelines["pa"].edges == ("r1", "r2")
    assert graph.pipelines["pa"].log_edges == ("c1", "c2", "n1", "r1", "r2")
    assert graph.publishes["old"].active and not graph.publishes["new"].active

    done = _graph(tmp_path, *fleet("rest"), name="done")
    assert set(_where(done).values()) == {"newer"}
    assert list(done.edges["r1"].history) == ["old", "new", "newer"]


def test_two_rollouts_in_a_chain_each_gate_their_own_link(tmp_path: Path) -> None:
    second = rollout({"name": "first", "selector": {"matchLabels": {"ring": "canary"}, "matchTags": ["t"]}},
                     REST)
    graph = _graph(tmp_path, *_fleet(rollout=rollout(CANARY, REST, promoted="rest")),
                   publish("newer", "pa", "v3", ["new"], rollout=second | {"promoted": "first"}),
                   labelled("c3", "old", {"ring": "canary"}, tags=["t"]))
    assert _where(graph) == {"c1": "new", "c2": "new", "c3": "newer", "r1": "new", "r2": "new"}
    assert graph.edges["c3"].wave == ("newer", "first")
    assert graph.edges["c1"].wave == ("new", "canary")
    assert {w.name: w.edges for w in graph.rollouts["newer"].waves} == {
        "first": ("c3",), "rest": ("c1", "c2", "r1", "r2")}


def test_percent_waves_are_stable_when_the_fleet_grows_and_differ_per_rollout(tmp_path: Path) -> None:
    ten = {"name": "ten", "selector": {"percent": 10}}

    def fleet(count: int, name: str = "new") -> list[dict[str, Any]]:
        return [publish("old", "pa", "v1"),
                publish(name, "pa", "v2", ["old"], rollout=rollout(ten, REST, promoted="ten")),
                *(labelled(f"e{i:04d}", "old") for i in range(count))]

    small = set(_graph(tmp_path, *fleet(400), name="small").rollouts["new"].waves[0].edges)
    grown = set(_graph(tmp_path, *fleet(440), name="grown").rollouts["new"].waves[0].edges)
    assert 20 <= len(small) <= 60  # about 10% of 400
    assert grown & {f"e{i:04d}" for i in range(400)} == small
    assert grown - small == {f"e{i:04d}" for i in range(400, 440) if share("new", f"e{i:04d}") < 0.10}
    other = set(_graph(tmp_path, *fleet(400, "other"), name="other").rollouts["other"].waves[0].edges)
    assert other != small


def test_consecutive_percent_waves_take_slices_of_what_is_left() -> None:
    from compiler.analysis.graph.waves import WavePicker
    from compiler.spec.model import Rollout

    picker = WavePicker.of("p", Rollout.model_validate(
        {"waves": [{"name": "a", "selector": {"percent": 10}}, {"name": "b", "selector": {"percent": 50}},
                   {"name": "rest"}]}))
    counts = [0, 0, 0]
    for i in range(4000):
        index = picker.wave_of(f"e{i}", {}, ())
        assert index is not None
        counts[index] += 1
    assert 300 <= counts[0] <= 500 and 1600 <= counts[1] <= 2000 and counts[2] == 4000 - counts[0] - counts[1]


def test_assays_pause_only_when_the_last_edge_moves(tmp_path: Path) -> None:
    docs = [publish("old", "pa", "v1"), labelled("c1", "old", {"ring": "canary"}), labelled("r1", "old"),
            assay("watch-ma", "pa", "ma")]
    pending = _graph(tmp_path, *docs, publish("new", "pa", "v2", ["old"], rollout=rollout(
        CANARY, REST, promoted="canary")), name="pending")
    (r,) = pending.replacements
    assert [(a.name, a.action, a.after_wave) for a in r.assays] == [("watch-ma", "pending", "rest")]
    assert "once wave 'rest'" in r.assays[0].reason
    done = _graph(tmp_path, *docs, publish("new", "pa", "v2", ["old"], rollout=rollout(
        CANARY, REST, promoted="rest")), name="done")
    (r,) = done.replacements
    assert [(a.name, a.action, a.after_wave) for a in r.assays] == [("watch-ma", "pause", "rest")]


def test_durations() -> None:
    assert soak_seconds("2h") == 7200 and soak_seconds("1d") == 86400 and soak_seconds("1h30m") == 5400
    assert soak_seconds(None) == 0
    assert format_duration(5400) == "1h30m" and format_duration(90061) == "1d1h" and format_duration(0) == "0s"
