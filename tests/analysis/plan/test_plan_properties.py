"""Properties over random replacement forests: edges end on roots, each edge has one current pipeline, no edge is
lost, and shuffling the spec files changes nothing in the plan."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import assay, edge, publish, write_root

VERSIONS = [("pa", "v1"), ("pa", "v2"), ("pa", "v3"), ("pb", "v1"), ("pb", "v2"), ("pc", "v1")]
ASSAYS = [assay("a-ma", "pa", "ma"), assay("a-mb", "pb", "mb"), assay("a-mc", "pc", "mc")]


@st.composite
def forests(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Publishes p0..pn; each is replaced by at most one later publish; edges on any publish."""
    count = draw(st.integers(1, 10))
    versions = [draw(st.sampled_from(VERSIONS)) for _ in range(count)]
    replacer = [draw(st.none() | st.integers(i + 1, count - 1)) if i < count - 1 else None for i in range(count)]
    replaces: dict[int, list[str]] = {}
    for i, j in enumerate(replacer):
        if j is not None:
            replaces.setdefault(j, []).append(f"p{i}")
    docs = [publish(f"p{i}", *versions[i], replaces.get(i, ())) for i in range(count)]
    edges = draw(st.lists(st.integers(0, count - 1), max_size=12))
    docs += [edge(f"e{k}", f"p{i}") for k, i in enumerate(edges)]
    return docs + ASSAYS


def _plan(documents: list[dict[str, Any]], layout: random.Random | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        documents = list(documents)
        files: dict[str, list[dict[str, Any]]] = {"specs.yaml": documents}
        if layout is not None:
            layout.shuffle(documents)
            files = {}
            for doc in documents:
                files.setdefault(f"d{layout.randrange(4)}/{layout.randrange(3)}.yaml", []).append(doc)
        validation = load_specs(write_root(Path(tmp), files))
        assert validation.diagnostics == []
        graph, diagnostics = build_graph(validation.specs)
        return build_plan(validation.specs, graph, {}, diagnostics, registry="reg").to_json()


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(forests())
def test_every_edge_ends_on_a_root_and_is_listed_once(documents: list[dict[str, Any]]) -> None:
    plan = _plan(documents)
    publishes = {p["name"]: p for p in plan["publishes"]}
    declared = {d["metadata"]["name"] for d in documents if d["kind"] == "EdgeLocation"}
    assert {e["name"] for e in plan["edges"]} == declared
    for e in plan["edges"]:
        assert publishes[e["publish"]]["active"]
        assert e["history"][0] == e["addedTo"] and e["history"][-1] == e["publish"]
        for older, newer in zip(e["history"], e["history"][1:], strict=False):
            assert publishes[older]["replacedBy"] == newer
        assert e["logPipelines"][0] == publishes[e["addedTo"]]["pipeline"] and e["pipeline"] in e["logPipelines"]
    listed = [name for p in plan["pipelines"] for name in p["edges"]]
    assert sorted(listed) == sorted(declared)  # conserved, and no edge in two pipelines
    for r in plan["replacements"]:
        assert set(r["edges"]) <= declared
        assert publishes[r["replaces"]]["replacedBy"] == r["publish"]


def _positionless(plan: dict[str, Any]) -> dict[str, Any]:
    diagnostics = sorted((d["code"], d["message"]) for d in plan["diagnostics"])
    return {**plan, "diagnostics": diagnostics}


@PROPERTY
@given(forests(), st.randoms(use_true_random=False))
def test_shuffled_files_give_the_same_plan(documents: list[dict[str, Any]], layout: random.Random) -> None:
    assert _positionless(_plan(documents)) == _positionless(_plan(documents, layout))
