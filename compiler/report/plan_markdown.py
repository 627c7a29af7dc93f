"""The plan as a Markdown pull-request comment. Pure: returns a string.

User text (messages, reasons, field paths) is escaped: Markdown punctuation gets a backslash, `<`, `>`, `&` and
`@` become entities (no HTML, no mentions), newlines become spaces, so a spec can never add a heading, a link,
a table cell or a ping to the comment. Names are shown as code spans.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from compiler.analysis.plan.rollouts import wave_status
from compiler.report.findings import finding_line
from compiler.report.plan_text import MAX_NAMES, summary_line

if TYPE_CHECKING:
    from compiler.analysis.deployed import Changes
    from compiler.analysis.plan import Plan
    from compiler.diagnostics import Diagnostic

#: Rows of the edge table shown before the rest folds away.
MAX_ROWS = 50
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;"}


def escape(text: object) -> str:
    """Plain text for Markdown and GitHub: every character shows as itself and nothing else happens."""
    flat = " ".join(str(text).splitlines())
    escaped = _PUNCTUATION.sub(r"\\\1", flat)
    return "".join(_ENTITIES.get(c, c) for c in escaped)


def _code(text: str) -> str:
    """A code span; backticks cannot close it and pipes cannot split a table cell."""
    return "`" + " ".join(text.splitlines()).replace("`", "'").replace("|", "\\|") + "`"


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(_code(n) for n in names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def _diagnostics(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    out = []
    for d in diagnostics:
        hint = f" (hint: {escape(d.hint)})" if d.hint else ""
        out.append(f"- {_code(d.position)} {d.severity}\\[{d.code}\\] {escape(d.message)}{hint}")
    return out


def _changes(changes: Changes) -> list[str]:
    out = ["#### Against the deployment repository", ""]
    if not changes.deployed:
        out += ["Nothing is deployed yet: every edge location and publish is new.", ""]
    elif not changes.any:
        return [*out, "No changes against the deployment repository.", ""]
    rows = [("Edges added", changes.edges_added), ("Edges removed", changes.edges_removed),
            ("Publishes added", changes.publishes_added), ("Publishes removed", changes.publishes_removed)]
    out += [f"- {title} ({len(names)}): {_names(names)}" for title, names in rows if names]
    out += [f"- Edge {_code(edge)} moves: {_code(old)} → {_code(new)}" for edge, old, new in changes.edges_moved]
    return [*out, ""]


def render_plan_markdown(plan: Plan, changes: Changes | None = None) -> str:
    s = plan.summary
    out = ["### edgec plan", ""]
    if s.errors:
        out += [f"**The specs are invalid: {s.errors} error(s), {s.warnings} warning(s). Nothing can be deployed "
                "until they are fixed.**", "", "#### Diagnostics", "", *_diagnostics(plan.diagnostics), ""]
        return "\n".join(out)
    out += [f"**{summary_line(s)}**", ""]
    if s.warnings:
        out += [f"{s.warnings} warning(s).", ""]
    if changes is not None:
        out += _changes(changes)
    if plan.replacements:
        out += ["| Publish | Replaces | Kind | From | To | Edges |", "|---|---|---|---|---|---:|"]
        for rp in plan.replacements:
            r = rp.replacement
            out.append(f"| {_code(r.publish)} | {_code(r.replaces)} | {r.kind} | "
                       f"{_code(r.source.pipeline)} {_code(r.source.version)} | "
                       f"{_code(r.target.pipeline)} {_code(r.target.version)} | {len(r.edges)} |")
        out.append("")
    for ro in plan.rollouts:
        rollout = ro.rollout
        out += [f"#### Roll-out of {_code(rollout.publish)} (replaces "
                f"{', '.join(_code(q) for q in rollout.replaces)})", "",
                "| # | Wave | State | Edges |", "|---:|---|---|---|"]
        for index, w in enumerate(ro.waves, 1):
            out.append(f"| {index} | {_code(w.wave.name)} | {escape(wave_status(w))} | "
                       f"{len(w.wave.edges)}: {_names(w.wave.edges) or '-'} |")
        if rollout.unassigned:
            out.append(f"| | (no wave) | stays | {len(rollout.unassigned)}: {_names(rollout.unassigned)} |")
        out.append("")
    paused = [a for a in plan.assays if a.action == "pause"]
    if paused:
        out += ["#### Assays to pause", ""]
        for a in paused:
            create = ", ".join(f"({_code(p)}, {_code(m)})" for p, m in a.create)
            out.append(f"- {_code(a.name)} on ({_code(a.pipeline)}, {_code(a.model)}): pause; create on {create}. "
                       f"{escape(a.reason)}")
        out.append("")
    if plan.client_impacts:
        out += ["#### Client impacts", ""]
        for c in plan.client_impacts:
            out.append(f"- {escape(c.message)}: {', '.join(_code(x) for x in c.changes)}; "
                       f"edges {_names(c.edges.names())}")
        out.append("")
    findings = [(rp.replacement, f) for rp in plan.replacements for f in rp.findings]
    if findings:
        out += ["#### Schema findings", ""]
        out += [f"- {_code(r.publish)} replaces {_code(r.replaces)}: {escape(finding_line(v.finding, verdict=v))}"
                for r, v in findings]
        out.append("")
    moved = [e for e in plan.graph.edges.values() if e.moved]
    if moved:
        out += ["<details><summary>Edge locations that move (" + str(len(moved)) + ")</summary>", "",
                "| Edge | History | Now | Logs in |", "|---|---|---|---|"]
        for e in moved[:MAX_ROWS]:
            out.append(f"| {_code(e.name)} | {' → '.join(_code(h) for h in e.history)} | {_code(e.pipeline)} "
                       f"{_code(e.version)} | {', '.join(_code(p) for p in e.log_pipelines)} |")
        if len(moved) > MAX_ROWS:
            out.append(f"| … | {len(moved) - MAX_ROWS} more | | |")
        out += ["", "</details>", ""]
    if plan.diagnostics:
        out += ["#### Diagnostics", "", *_diagnostics(plan.diagnostics), ""]
    return "\n".join(out)
