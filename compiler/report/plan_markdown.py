"""The plan as a Markdown pull-request comment. Pure: returns a string."""

from __future__ import annotations

from compiler.analysis.plan import Plan
from compiler.report.plan_text import MAX_NAMES, finding_line, summary_line

#: Rows of the edge table shown before the rest folds away.
MAX_ROWS = 50


def _cell(text: object) -> str:
    """A table cell: pipes escaped, newlines flattened, wrapped as code when it is a name."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(_code(n) for n in names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def render_plan_markdown(plan: Plan) -> str:
    s = plan.summary
    out = ["### edgec plan", "", f"**{summary_line(s)}**", ""]
    if s.errors or s.warnings:
        out += [f"{s.errors} error(s), {s.warnings} warning(s).", ""]
    if plan.replacements:
        out += ["| Publish | Replaces | Kind | From | To | Edges |", "|---|---|---|---|---|---:|"]
        for rp in plan.replacements:
            r = rp.replacement
            out.append(f"| {_code(r.publish)} | {_code(r.replaces)} | {r.kind} | "
                       f"{_cell(r.source.pipeline)} {_cell(r.source.version)} | "
                       f"{_cell(r.target.pipeline)} {_cell(r.target.version)} | {len(r.edges)} |")
        out.append("")
    paused = [a for a in plan.assays if a.action == "pause"]
    if paused:
        out += ["#### Assays to pause", ""]
        for a in paused:
            create = ", ".join(f"({_code(p)}, {_code(m)})" for p, m in a.create)
            out.append(f"- {_code(a.name)} on ({_code(a.pipeline)}, {_code(a.model)}): pause; create on {create}. "
                       f"{_cell(a.reason)}")
        out.append("")
    if plan.client_impacts:
        out += ["#### Client impacts", ""]
        for c in plan.client_impacts:
            out.append(f"- {_cell(c.message)}: {', '.join(_code(x) for x in c.changes)}; "
                       f"edges {_names(c.edges.names())}")
        out.append("")
    findings = [(rp.replacement, f) for rp in plan.replacements for f in rp.findings]
    if findings:
        out += ["#### Schema findings", ""]
        out += [f"- {_code(r.publish)} replaces {_code(r.replaces)}: {_cell(finding_line(f))}" for r, f in findings]
        out.append("")
    moved = [e for e in plan.graph.edges.values() if e.moved]
    if moved:
        out += ["<details><summary>Edge locations that move (" + str(len(moved)) + ")</summary>", "",
                "| Edge | History | Now | Logs in |", "|---|---|---|---|"]
        for e in moved[:MAX_ROWS]:
            out.append(f"| {_code(e.name)} | {_cell(' → '.join(e.history))} | {_cell(e.pipeline)} "
                       f"{_cell(e.version)} | {_cell(', '.join(e.log_pipelines))} |")
        if len(moved) > MAX_ROWS:
            out.append(f"| … | {len(moved) - MAX_ROWS} more | | |")
        out += ["", "</details>", ""]
    if plan.diagnostics:
        out += ["#### Diagnostics", ""]
        for d in plan.diagnostics:
            where = ":".join(str(x) for x in (d.file, d.line, d.column) if x is not None) or "edgec"
            out.append(f"- {_code(where)} {d.severity}[{d.code}] {_cell(d.message)}")
        out.append("")
    return "\n".join(out)
