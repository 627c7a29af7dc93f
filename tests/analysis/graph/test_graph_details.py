"""What each node of the graph carries, for the cases the scenario folders do not reach: roll-outs behind links
without one, the wording of paused assays, hints, and references validation rejects (SPEC sections 2 and 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.analysis.graph import Side, TransferGraph, build_graph
from compiler.diagnostics import Diagnostic
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import assay, edge, publish, write_root

CANARY = {"name": "canary", "selector": {"matchLabels": {"ring": "canary"}}, "soak": "2h"}
REST = {"name": "rest", "soak": "1d"}


def _build(tmp_path: Path, *documents: dict[str, Any]) -> tuple[TransferGraph, list[Diagnostic]]:
    validation = load_specs(write_root(tmp_path / "root", {"specs.yaml": documents}))
    return build_graph(validation.specs)


def _graph(tmp_path: Path, *documents: dict[str, Any]) -> TransferGraph:
    graph, diagnostics = _build(tmp_path, *documents)
    assert [d for d in diagnostics if d.is_error] == []
    return graph


def _canary(name: str, on: str) -> dict[str, Any]:
    document = edge(name, on)
    document["metadata"]["labels"] = {"ring": "canary"}
    return document


def _behind_plain_links(tmp_path: Path, promoted: str | None) -> TransferGraph:
    """a (pa v1) -> b (pb v1) -> c (pb v1) -> d (pb v2, roll-out): only the last link carries the roll-out, and
    the edges start two and one links below it."""
    rollout: dict[str, Any] = {"waves": [CANARY, REST]}
    if promoted:
        rollout["promoted"] = promoted
    return _graph(
        tmp_path,
        publish("a", "pa", "v1"), publish("b", "pb", "v1", ["a"]), publish("c", "pb", "v1", ["b"]),
        publish("d", "pb", "v2", ["c"], rollout=rollout),
        _canary("e-a", "a"), edge("e-b", "b"), edge("e-c", "c"),
    )


def test_a_rollout_holds_edges_that_reach_it_through_links_without_one(tmp_path: Path) -> None:
    graph = _behind_plain_links(tmp_path, promoted=None)
    assert {n: (e.added_to, e.publish, e.version) for n, e in graph.edges.items()} == {
        "e-a": ("a", "c", "v1"), "e-b": ("b", "c", "v1"), "e-c": ("c", "c", "v1")}
    assert list(graph.edges["e-a"].history) == ["a", "b", "c"]
    assert graph.edges["e-a"].log_pipelines == ("pa", "pb")
    assert list(graph.edges["e-b"].history) == ["b", "c"] and graph.edges["e-b"].log_pipelines == ("pb",)
    assert graph.publishes["c"].waiting == ("e-a", "e-b", "e-c") and graph.publishes["d"].waiting == ()
    assert graph.pipelines["pb"].edges == ("e-a", "e-b", "e-c") and graph.pipelines["pa"].log_edges == ("e-a",)
    assert [(w.name, w.edges) for w in graph.rollouts["d"].waves] == [("canary", ("e-a",)), ("rest", ("e-b", "e-c"))]


def test_a_promoted_first_wave_takes_its_edges_through_the_whole_chain(tmp_path: Path) -> None:
    graph = _behind_plain_links(tmp_path, promoted="canary")
    node = graph.rollouts["d"]
    assert node.promoted == "canary" and node.replaces == ("c",)
    assert [(w.name, w.soak, w.soak_seconds, w.state) for w in node.waves] == [
        ("canary", "2h", 7200, "moved"), ("rest", "1d", 86400, "next")]
    assert (graph.edges["e-a"].publish, graph.edges["e-a"].wave) == ("d", ("d", "canary"))
    assert list(graph.edges["e-a"].history) == ["a", "b", "c", "d"]
    assert graph.edges["e-a"].version == "v2" and graph.publishes["d"].version == "v2"
    assert graph.publishes["c"].waiting == ("e-b", "e-c")


def test_a_rollout_whose_waves_hold_no_edge_moves_nothing_and_pauses_nothing(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("old", "pa", "v1"), publish("new", "pa", "v2", ["old"], rollout={"waves": [CANARY]}),
        assay("watch-ma", "pa", "ma"),
    )
    (replacement,) = graph.replacements
    assert len(replacement.edges) == 0 and replacement.assays == ()
    assert [w.edges for w in graph.rollouts["new"].waves] == [()]


def test_a_paused_assay_says_how_many_current_edges_still_feed_its_model(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a", "pa", "v1"), publish("b", "pa", "v2", ["a"]), publish("stay", "pa", "v1"),
        edge("e1", "a"), edge("e2", "stay"), edge("e3", "stay"), assay("watch-ma", "pa", "ma"),
    )
    (replacement,) = graph.replacements
    (pause,) = replacement.assays
    assert (pause.pipeline, pause.model, pause.iopath, pause.create) == ("pa", "ma", "output variable 0", ("pa", "mb"))
    assert pause.reason == ("version 'v2' of 'pa' no longer runs 'ma': (pa, ma) gets no traffic from the moved "
                            "edges; 2 current edge(s) still feed it")


def test_a_paused_assay_with_no_edge_left_on_its_model_says_so(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a", "pa", "v1"), publish("b", "pb", "v1", ["a"]), edge("e1", "a"), assay("watch-ma", "pa", "ma"),
    )
    (pause,) = graph.replacements[0].assays
    assert pause.reason == ("1 edge(s) move to pipeline 'pb': (pa, ma) gets no traffic from the moved edges; "
                            "no edge feeds it any more")


def test_an_assay_paused_by_a_finished_rollout_names_the_wave_that_moved_the_last_edge(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("old", "pa", "v1"),
        publish("new", "pa", "v2", ["old"], rollout={"waves": [CANARY, REST], "promoted": "rest"}),
        _canary("c1", "old"), edge("r1", "old"), assay("watch-ma", "pa", "ma"),
    )
    (pause,) = graph.replacements[0].assays
    assert (pause.action, pause.after_wave) == ("pause", "rest")
    assert pause.reason.endswith("; paused since wave 'rest' of 'new' moved the last edge; no edge feeds it any more")


def test_an_edge_on_an_unknown_publish_is_skipped_and_the_later_edges_kept(tmp_path: Path) -> None:
    graph, _ = _build(tmp_path, publish("p", "pa", "v1"), edge("a-lost", "nowhere"), edge("b-kept", "p"))
    assert sorted(graph.edges) == ["b-kept"] and graph.publishes["p"].edges == ("b-kept",)


def test_a_replacer_whose_version_does_not_resolve_keeps_the_old_model_as_the_successor(tmp_path: Path) -> None:
    """Validation reports the unknown version; the graph is still built (for the other diagnostics)."""
    graph, _ = _build(tmp_path, publish("a", "pa", "v1"), publish("b", "pb", "v9", ["a"]), edge("e1", "a"),
                      assay("watch-ma", "pa", "ma"))
    (pause,) = graph.replacements[0].assays
    assert pause.create == ("pb", "ma")


def _hints(diagnostics: list[Diagnostic], code: str) -> list[str | None]:
    return [d.hint for d in diagnostics if d.code == code]


def test_replacement_problems_say_how_to_fix_them(tmp_path: Path) -> None:
    _, diagnostics = _build(
        tmp_path,
        publish("self", "pa", "v1", ["self"]),
        publish("x", "pa", "v1"), publish("y1", "pa", "v2", ["x"]), publish("y2", "pa", "v3", ["x"]),
        publish("c1", "pb", "v1", ["c2"]), publish("c2", "pb", "v1", ["c1"]),
    )
    assert _hints(diagnostics, "replace-conflict") == [
        "a publish is replaced at most once: replace the newer publish instead"]
    assert sorted(_hints(diagnostics, "replace-cycle"), key=str) == [
        "a publish replaces older publishes; remove it from `replaces`",
        "each publish is replaced by the next one; remove one of these `replaces` entries"]


def test_replacements_are_listed_by_replacing_publish_with_both_sides(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a1", "pa", "v1"), publish("z1", "pb", "v1"),
        publish("z2", "pb", "v2", ["a1"]), publish("a2", "pa", "v2", ["z1"]),
        edge("e1", "a1"), edge("e2", "z1"),
    )
    assert [(r.publish, r.replaces, r.kind, r.source, r.target) for r in graph.replacements] == [
        ("a2", "z1", "pipeline-transfer", Side("pb", "v1"), Side("pa", "v2")),
        ("z2", "a1", "pipeline-transfer", Side("pa", "v1"), Side("pb", "v2")),
    ]
    assert {name: node.name for name, node in graph.pipelines.items()} == {"pa": "pa", "pb": "pb", "pc": "pc"}


def test_a_publish_of_an_unknown_pipeline_still_gets_a_pipeline_node(tmp_path: Path) -> None:
    """Validation reports the unknown pipeline; the graph is still built (for the other diagnostics)."""
    graph, _ = _build(tmp_path, publish("old", "nowhere", "v1"), publish("new", "pa", "v1", ["old"]),
                      edge("e1", "old"), publish("idle", "elsewhere", "v1"))
    assert (graph.pipelines["nowhere"].edges, graph.pipelines["nowhere"].log_edges) == ((), ("e1",))
    assert graph.pipelines["pa"].edges == ("e1",) and graph.pipelines["elsewhere"].edges == ()
