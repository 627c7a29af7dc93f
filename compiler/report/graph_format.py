"""The edge-transfer graph as a picture source: Mermaid (for Markdown) and Graphviz dot. Pure and
deterministic: pipelines are clusters, publishes nodes, replacements arrows labelled with their kind (pointing
the way edges move), edge locations small nodes attached to their current publish. Node ids are generated
(`p0`, `e0`, ...) so no user text ever lands in an identifier; labels are escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.report.emit import Printers

if TYPE_CHECKING:
    from compiler.analysis.graph import TransferGraph


def _ids(graph: TransferGraph) -> tuple[dict[str, str], dict[str, str]]:
    publishes = {name: f"p{i}" for i, name in enumerate(sorted(graph.publishes))}
    edges = {name: f"e{i}" for i, name in enumerate(sorted(graph.edges))}
    return publishes, edges


def _by_pipeline(graph: TransferGraph) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in sorted(graph.publishes):
        out.setdefault(graph.publishes[name].pipeline, []).append(name)
    return dict(sorted(out.items()))


def _link_label(graph: TransferGraph, publish: str, kind: str) -> str:
    """The replacement's kind, and under a roll-out the promoted and the next wave."""
    node = graph.rollouts.get(publish)
    if node is None:
        return kind
    next_wave = node.next_wave
    return f"{kind}, promoted: {node.promoted or 'none'}" + (f", next: {next_wave.name}" if next_wave else "")


def _edge_label(graph: TransferGraph, edge: str) -> str:
    found = graph.edge_wave(edge)
    if found is None:
        return edge
    _, wave, moved = found
    return f"{edge} ({wave}{'' if moved else ', waiting'})"


def _mermaid_text(text: str) -> str:
    return "".join(f"#{ord(c)};" if c in '"<>#&;|[](){}' else c for c in text)


def to_mermaid(graph: TransferGraph) -> str:
    pub_ids, edge_ids = _ids(graph)
    lines = ["flowchart LR"]
    for index, (pipeline, names) in enumerate(_by_pipeline(graph).items()):
        lines.append(f'  subgraph c{index}["pipeline {_mermaid_text(pipeline)}"]')
        for name in names:
            node = graph.publishes[name]
            shape = ('["', '"]') if node.active else ('("', '")')
            lines.append(f"    {pub_ids[name]}{shape[0]}{_mermaid_text(name)}<br/>"
                         f"{_mermaid_text(node.version)}{shape[1]}")
        lines.append("  end")
    for r in graph.replacements:
        label = _mermaid_text(_link_label(graph, r.publish, r.kind))
        lines.append(f"  {pub_ids[r.replaces]} -->|{label}| {pub_ids[r.publish]}")
    for name, edge in graph.edges.items():
        lines.append(f'  {edge_ids[name]}[/"{_mermaid_text(_edge_label(graph, name))}"/] -.- {pub_ids[edge.publish]}')
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: TransferGraph) -> str:
    pub_ids, edge_ids = _ids(graph)
    lines = [
        "digraph edgec {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for index, (pipeline, names) in enumerate(_by_pipeline(graph).items()):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_dot_text('pipeline ' + pipeline)}; style=rounded; color=gray50;")
        for name in names:
            node = graph.publishes[name]
            style = 'shape=box, style="rounded,filled", fillcolor=palegreen' if node.active else \
                'shape=box, style="rounded,dashed"'
            lines.append(f"    {pub_ids[name]} [label={_dot_text(name + chr(10) + node.version)}, {style}];")
        lines.append("  }")
    for r in graph.replacements:
        color = "blue" if r.kind == "version-update" else "darkorange"
        lines.append(f"  {pub_ids[r.replaces]} -> {pub_ids[r.publish]} "
                     f"[label={_dot_text(_link_label(graph, r.publish, r.kind))}, color={color}, fontcolor={color}];")
    for name, edge in graph.edges.items():
        lines.append(f"  {edge_ids[name]} [label={_dot_text(_edge_label(graph, name))}, shape=cds, fontsize=9];")
        lines.append(f"  {edge_ids[name]} -> {pub_ids[edge.publish]} [style=dotted, arrowhead=none];")
    lines.append("}")
    return "\n".join(lines) + "\n"


PRINTERS: Printers[TransferGraph] = {
    "mermaid": lambda graph, style: to_mermaid(graph),
    "dot": lambda graph, style: to_dot(graph),
}
