"""The plan as text, in the spirit of `terraform plan`: a summary line, then each replacement with what it
moves, pauses and breaks. Pure: returns a string; colour only when the caller asks for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from compiler.analysis.plan.rollouts import wave_status
from compiler.report.findings import finding_line
from compiler.report.style import BOLD, CYAN, DIM, GREEN, RED, YELLOW, Style

if TYPE_CHECKING:
    from compiler.analysis.plan import Plan, Summary

#: How many edge names a line lists before it says "and N more".
MAX_NAMES = 10


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary_line(summary: Summary) -> str:
    """`Plan: 1 edge moves, 2 replacements (1 version-update, 1 pipeline-transfer), 1 assay to pause.`"""
    parts = [
        _n(summary.edges_moved, "edge moves", "edges move"),
        _n(summary.replacements, "replacement", "replacements")
        + f" ({summary.version_updates} version-update, {summary.pipeline_transfers} pipeline-transfer)",
        _n(summary.assays_to_pause, "assay to pause", "assays to pause"),
    ]
    if summary.client_impacts:
        parts.append(_n(summary.client_impacts, "client impact", "client impacts"))
    if summary.findings:
        parts.append(_n(summary.findings, "schema finding", "schema findings"))
    return "Plan: " + ", ".join(parts) + "."


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def rollout_lines(plan: Plan, paint: Callable[[str, str], str]) -> list[str]:
    """Each roll-out: its waves in order with their edges, moved / next / waiting, and the soak left."""
    lines: list[str] = []
    for rp in plan.rollouts:
        r = rp.rollout
        replaced = ", ".join(r.replaces) or "nothing"
        next_wave = r.next_wave
        state = "complete" if r.complete else f"promoted: {r.promoted or 'none'}, next: " + \
            (next_wave.name if next_wave else "none")
        lines.append(paint(BOLD, f"roll-out {r.publish}") + f" (replaces {replaced}; {state})")
        width = max(len(w.wave.name) for w in rp.waves)
        for index, w in enumerate(rp.waves, 1):
            colour = GREEN if w.wave.state == "moved" else YELLOW if w.wave.state == "next" else DIM
            edges = w.wave.edges
            listed = f"{_n(len(edges), 'edge', 'edges')}" + (f": {_names(edges)}" if edges else "")
            lines.append(f"    {index}. {w.wave.name:<{width}}  " + paint(colour, wave_status(w)) + f"  {listed}")
        if r.unassigned:
            lines.append(paint(RED, f"    ! in no wave: {_names(r.unassigned)}"))
        lines.append("")
    return lines


def render_plan_text(plan: Plan, *, color: bool = False) -> str:
    paint = Style(color=color).paint

    lines: list[str] = []
    if not plan.replacements:
        lines.append("No replacements: every edge location stays on the publish it was added to.")
    for rp in plan.replacements:
        r = rp.replacement
        head = f"~ {r.publish} replaces {r.replaces}"
        lines.append(paint(YELLOW + BOLD, head) + " " + paint(CYAN, f"({r.kind})"))
        lines.append(f"    {r.source.pipeline} {r.source.version} -> {r.target.pipeline} {r.target.version}")
        edges = r.edges.names()
        lines.append(f"    moves {_n(len(edges), 'edge', 'edges')}" + (f": {_names(edges)}" if edges else ""))
        for a in r.assays:
            verb = "pause" if a.action == "pause" else f"after wave {a.after_wave}, pause"
            lines.append(paint(YELLOW, f"    ! {verb} assay {a.name} ({a.pipeline}, {a.model})")
                         + f"; create one on ({a.create[0]}, {a.create[1]})")
            lines.append(paint(DIM, f"      {a.reason}"))
        if rp.client_impact is not None:
            lines.append(paint(RED, f"    ! client impact: {rp.client_impact.message}"))
            for change in rp.client_impact.changes:
                lines.append(f"      {change}")
        for v in rp.findings:
            lines.append(f"    finding: {finding_line(v.finding, verdict=v, indent='      ')}")
        if rp.log_schema and (rp.findings or r.kind == "pipeline-transfer"):
            columns = ", ".join(f"{column} {type_}" for column, type_ in rp.log_schema)
            lines.append(paint(DIM, f"    log schema of {r.target.pipeline} from now on: {columns}"))
        lines.append("")
    lines += rollout_lines(plan, paint)
    moved = [e for e in plan.graph.edges.values() if e.moved]
    if moved:
        lines.append("Edge locations:")
        for e in moved[:MAX_NAMES]:
            lines.append(f"  {paint(GREEN, e.name)}: {' -> '.join(e.history)} "
                         f"(now {e.pipeline} {e.version}; logs in {', '.join(e.log_pipelines)})")
        if len(moved) > MAX_NAMES:
            lines.append(f"  ... and {len(moved) - MAX_NAMES} more")
        lines.append("")
    paused = [a for a in plan.assays if a.action == "pause"]
    if paused:
        lines.append("Assays to pause:")
        for assay in paused:
            create = ", ".join(f"({p}, {m})" for p, m in assay.create)
            lines.append(f"  {paint(YELLOW, assay.name)} on ({assay.pipeline}, {assay.model}) -> create on {create}")
        lines.append("")
    s = plan.summary
    if s.errors or s.warnings:
        lines.append(paint(RED if s.errors else YELLOW,
                           f"{_n(s.errors, 'error', 'errors')}, {_n(s.warnings, 'warning', 'warnings')}."))
    lines.append(paint(BOLD, summary_line(s)))
    return "\n".join(lines) + "\n"
