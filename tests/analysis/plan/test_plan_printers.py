"""Printers: the text and Markdown plans carry the key facts; mermaid and dot are deterministic and valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.analysis.graph import TransferGraph, build_graph
from compiler.analysis.plan import Plan, build_plan
from compiler.load.load_root import load_specs
from compiler.report.graph_format import to_dot, to_mermaid
from compiler.report.plan_markdown import render_plan_markdown
from compiler.report.plan_text import render_plan_text

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "house-price"


@pytest.fixture(scope="module")
def built() -> tuple[TransferGraph, Plan]:
    validation = load_specs(EXAMPLE)
    graph, diagnostics = build_graph(validation.specs)
    return graph, build_plan(validation.specs, graph, {}, diagnostics, registry="localhost:5000/edge")


def test_text(built: tuple[TransferGraph, Plan]) -> None:
    text = render_plan_text(built[1])
    assert "Plan: 1 edge moves, 2 replacements (1 version-update, 1 pipeline-transfer), 1 assay to pause." in text
    assert "~ new-pub replaces pub (version-update)" in text
    assert "~ new-pipeline-pub replaces new-pub (pipeline-transfer)" in text
    assert "pause assay rf-price-drift" in text
    assert "pub -> new-pub -> new-pipeline-pub" in text
    assert "\033[" not in text
    assert "\033[" in render_plan_text(built[1], color=True)


def test_markdown(built: tuple[TransferGraph, Plan]) -> None:
    markdown = render_plan_markdown(built[1])
    assert markdown.startswith("### edgec plan")
    assert "| `new-pipeline-pub` | `new-pub` | pipeline-transfer |" in markdown
    assert "`rf-price-drift`" in markdown and "<details>" in markdown


def test_graph_formats_are_deterministic(built: tuple[TransferGraph, Plan]) -> None:
    graph = built[0]
    mermaid, dot = to_mermaid(graph), to_dot(graph)
    assert mermaid == to_mermaid(graph) and dot == to_dot(graph)
    assert mermaid.startswith("flowchart LR") and "-->|version-update|" in mermaid
    assert 'subgraph c1["pipeline new-edge-inline-replacement"]' in mermaid
    assert "subgraph cluster_0" in dot and 'label="pipeline-transfer"' in dot
    assert '"houseprice-edge-inline-demonstration"' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_dot_accepts_the_output(built: tuple[TransferGraph, Plan]) -> None:
    result = subprocess.run(["dot", "-Tsvg"], input=to_dot(built[0]), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout
