"""Where edges run and log, what each replacement moves and which assays it pauses (SPEC section 2)."""

from __future__ import annotations

from pathlib import Path

from compiler.analysis.graph import TransferGraph, build_graph
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import assay, doc, edge, pipeline, publish, write_root


def _graph(tmp_path: Path, *documents: dict) -> TransferGraph:
    validation = load_specs(write_root(tmp_path / "root", {"specs.yaml": documents}))
    assert validation.diagnostics == []
    graph, diagnostics = build_graph(validation.specs)
    assert [d for d in diagnostics if d.is_error] == []
    return graph


def _moves(graph: TransferGraph) -> dict[tuple[str, str], tuple[str, tuple[str, ...]]]:
    return {(r.publish, r.replaces): (r.kind, r.edges.names()) for r in graph.replacements}


def test_one_publish_replacing_publishes_of_several_pipelines_takes_all_their_edges(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("q1", "pa", "v1"), publish("q2", "pb", "v1"),
        publish("q0", "pc", "v1"), publish("q3", "pc", "v1", ["q0"]),
        publish("big", "pa", "v3", ["q1", "q2", "q3"]),
        edge("e0", "q0"), edge("e1", "q1"), edge("e2", "q2"), edge("e3", "q3"),
    )
    assert {e.name: e.publish for e in graph.edges.values()} == {f"e{i}": "big" for i in range(4)}
    assert _moves(graph) == {
        ("big", "q1"): ("version-update", ("e1",)),
        ("big", "q2"): ("pipeline-transfer", ("e2",)),
        ("big", "q3"): ("pipeline-transfer", ("e0", "e3")),
        ("q3", "q0"): ("version-update", ("e0",)),
    }
    assert graph.pipelines["pa"].edges == ("e0", "e1", "e2", "e3")
    assert graph.pipelines["pb"].edges == graph.pipelines["pc"].edges == ()
    assert graph.pipelines["pb"].log_edges == ("e2",)
    assert graph.pipelines["pc"].log_edges == ("e0", "e3")
    assert graph.edges["e0"].log_pipelines == ("pc", "pa")


def test_an_edge_added_to_a_mid_chain_publish_starts_its_history_there(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a", "pa", "v1"), publish("b", "pa", "v2", ["a"]), publish("c", "pb", "v1", ["b"]),
        edge("e-start", "a"), edge("e-mid", "b"),
    )
    assert list(graph.edges["e-mid"].history) == ["b", "c"]
    assert list(graph.edges["e-start"].history) == ["a", "b", "c"]
    assert graph.edges["e-mid"].log_pipelines == ("pa", "pb")
    assert _moves(graph) == {("b", "a"): ("version-update", ("e-start",)),
                             ("c", "b"): ("pipeline-transfer", ("e-mid", "e-start"))}
    assert graph.publishes["a"].root == "c"


def test_replacing_a_publish_of_another_pipeline_that_had_its_own_replacements(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("x1", "pb", "v1"), publish("x2", "pb", "v2", ["x1"]), publish("y", "pa", "v1", ["x2"]),
        edge("e1", "x1"), edge("e2", "x2"),
    )
    assert {e.publish for e in graph.edges.values()} == {"y"}
    assert list(graph.edges["e1"].history) == ["x1", "x2", "y"]
    assert _moves(graph)[("y", "x2")] == ("pipeline-transfer", ("e1", "e2"))
    assert graph.pipelines["pb"].edges == ()
    assert graph.pipelines["pb"].log_edges == ("e1", "e2")
    assert graph.pipelines["pa"].edges == ("e1", "e2")


def test_a_pipeline_transfer_back_lists_each_log_pipeline_once(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a", "pa", "v1"), publish("b", "pb", "v1", ["a"]), publish("c", "pa", "v2", ["b"]),
        edge("e1", "a"),
    )
    assert graph.edges["e1"].log_pipelines == ("pa", "pb")
    assert graph.pipelines["pa"].edges == ("e1",)


def test_assays_pause_when_the_pipeline_or_the_model_changes(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        # pa v1 (ma) -> pa v2 (mb): ma loses the traffic; pa v2 (mb) -> pb v1 (mb): the pipeline changes.
        publish("a", "pa", "v1"), publish("b", "pa", "v2", ["a"]), publish("c", "pb", "v1", ["b"]),
        edge("e1", "a"),
        assay("on-ma", "pa", "ma"), assay("on-mb", "pa", "mb"), assay("elsewhere", "pc", "mc"),
    )
    by_replacement = {(r.publish, r.replaces): r.assays for r in graph.replacements}
    (first,) = by_replacement[("b", "a")]
    assert (first.name, first.action, first.create) == ("on-ma", "pause", ("pa", "mb"))
    (second,) = by_replacement[("c", "b")]
    assert (second.name, second.create) == ("on-mb", ("pb", "mb"))
    assert "pipeline 'pb'" in second.reason


def test_a_version_update_that_keeps_the_model_pauses_nothing(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        publish("a", "pb", "v1"), publish("b", "pb", "v1", ["a"]), edge("e1", "a"), assay("on-mb", "pb", "mb"),
    )
    (replacement,) = graph.replacements
    assert replacement.assays == ()


def _model(name: str) -> dict:
    """A model reading and writing `y`, so it can follow `ma` in a pipeline."""
    return doc("Model", name, framework="onnx", artifact="m.onnx", inputSchema=[{"name": "y", "type": "float32"}],
               outputSchema=[{"name": "y", "type": "float32"}])


def _two_step_chain(tmp_path: Path) -> TransferGraph:
    """pm v1 runs ma then m2, v2 runs ma then m3, v3 runs mb alone: a -> b -> c carries e1."""
    return _graph(
        tmp_path, _model("m2"), _model("m3"), pipeline("pm", ["ma", "m2"], ["ma", "m3"], ["mb"]),
        publish("a", "pm", "v1"), publish("b", "pm", "v2", ["a"]), publish("c", "pm", "v3", ["b"]),
        edge("e1", "a"), assay("on-ma", "pm", "ma"), assay("on-m2", "pm", "m2"), assay("on-m3", "pm", "m3"),
    )


def test_a_version_update_pauses_the_assay_of_a_later_step_it_no_longer_runs(tmp_path: Path) -> None:
    graph = _two_step_chain(tmp_path)
    by_replacement = {(r.publish, r.replaces): r.assays for r in graph.replacements}
    (pause,) = by_replacement[("b", "a")]  # ma is still the first step: only the second step's assay pauses
    assert (pause.name, pause.model, pause.action, pause.create) == ("on-m2", "m2", "pause", ("pm", "m3"))
    assert "no longer runs 'm2'" in pause.reason


def test_the_successor_of_a_step_is_clamped_to_the_last_step_of_a_shorter_version(tmp_path: Path) -> None:
    graph = _two_step_chain(tmp_path)
    by_replacement = {(r.publish, r.replaces): r.assays for r in graph.replacements}
    pauses = {p.name: p.create for p in by_replacement[("c", "b")]}
    assert pauses == {"on-ma": ("pm", "mb"), "on-m3": ("pm", "mb")}  # step 2 of v2 maps to v3's only step
