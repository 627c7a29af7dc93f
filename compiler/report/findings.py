"""Schema findings for people: one home for a finding's line (`edgec diff`, the plan's text and Markdown) and its
GitHub annotation. Pure. A finding's message never repeats its path: the line shows it once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.report.diagnostics import escape_data, escape_property
from compiler.report.emit import Printers
from compiler.report.style import SEVERITY_COLORS, Style

if TYPE_CHECKING:
    from compiler.analysis.schemadiff import Finding, Verdict


@dataclass(frozen=True)
class FindingsReport:
    """The findings of `edgec diff OLD NEW`, and the severities at which a finding fails (`--fail-on`)."""

    old: str
    new: str
    findings: Sequence[Finding]
    fail_on: str = "error"

    @property
    def failing_severities(self) -> tuple[str, ...]:
        return {"error": ("error",), "warning": ("error", "warning")}[self.fail_on]

    @property
    def failing(self) -> list[Finding]:
        bar = self.failing_severities
        return [f for f in self.findings if str(f.clients) in bar or str(f.log) in bar]


def _status(verdict: Verdict | None) -> str:
    if verdict is None:
        return ""
    return " (acknowledged)" if verdict.acknowledged else (" (fails the policy)" if verdict.fails else "")


def finding_summary(f: Finding, *, verdict: Verdict | None = None, color: bool = False) -> str:
    """`error TYPE_WIDENED out.x (float32 -> float64; clients: error, log: info): <message>` on one line."""
    worst = str(f.severity)
    label = Style(color=color).paint(SEVERITY_COLORS[worst], worst)
    verdicts = f"clients: {f.clients}, log: {f.log}"
    against = f" (compared with {f.compared_with})" if f.compared_with else ""
    return (f"{label} {f.rule} {f.path} ({f.old or 'absent'} -> {f.new or 'absent'}; {verdicts}): {f.message}"
            f"{against}{_status(verdict)}")


def finding_details(f: Finding) -> list[str]:
    """Where the new and the old field stand in the model files (as buf shows both), then the hint."""
    out = [f"{side}: {at}" for side, at in (("new", f.new_at), ("old", f.old_at)) if at is not None and at.file]
    return out + ([f"hint: {f.hint}"] if f.hint else [])


def finding_line(f: Finding, *, verdict: Verdict | None = None, color: bool = False, indent: str = "  ") -> str:
    return "\n".join([finding_summary(f, verdict=verdict, color=color),
                      *(indent + line for line in finding_details(f))])


def findings_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    return "".join(finding_line(f, color=color) + "\n" for f in findings)


def findings_github(findings: Sequence[Finding], failing: Sequence[str]) -> str:
    """One annotation per finding, on the new field (the old one when it was removed)."""
    out = []
    for f in findings:
        level = "error" if str(f.clients) in failing or str(f.log) in failing else "notice"
        props = []
        at = f.new_at or f.old_at
        if at is not None and at.file:
            props.append(f"file={escape_property(at.file)}")
            props += [f"line={at.line}"] if at.line is not None else []
            props += [f"col={at.column}"] if at.column is not None else []
        props.append(f"title={escape_property(f.rule)}")
        message = f"{f.path}: {f.message}" + (f"\n{f.hint}" if f.hint else "")
        out.append(f"::{level} {','.join(props)}::{escape_data(message)}\n")
    return "".join(out)


def _text(report: FindingsReport, style: Style) -> str:
    out = findings_text(report.findings, color=style.color)
    if not style.quiet:
        n, failing = len(report.findings), len(report.failing)
        out += (f"{n} finding{'s' * (n != 1)}, {failing} at or above {report.fail_on} "
                f"({report.old} -> {report.new})\n")
    return out


def _json(report: FindingsReport, style: Style) -> str:
    from compiler.assemble.render.serialize import to_json

    return to_json({"old": report.old, "new": report.new, "findings": [f.to_json() for f in report.findings]})


PRINTERS: Printers[FindingsReport] = {
    "text": _text,
    "json": _json,
    "github": lambda report, style: findings_github(report.findings, report.failing_severities),
}
