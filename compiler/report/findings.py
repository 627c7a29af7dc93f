"""Schema findings for people (`edgec diff`): one line per finding with its two verdicts. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.report.diagnostics import escape_data, escape_property
from compiler.report.emit import Printers
from compiler.report.style import SEVERITY_COLORS, Style

if TYPE_CHECKING:
    from compiler.analysis.schemadiff import Finding


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


def finding_line(f: Finding, *, color: bool = False) -> str:
    worst = str(max((f.clients, f.log), key=lambda s: ("info", "warning", "error").index(str(s))))
    label = Style(color=color).paint(SEVERITY_COLORS[worst], worst)
    verdicts = f"clients: {f.clients}, log: {f.log}"
    line = f"{label} {f.rule} {f.path} ({f.old or 'absent'} -> {f.new or 'absent'}; {verdicts}): {f.message}"
    return line + (f"\n  hint: {f.hint}" if f.hint else "")


def findings_text(findings: Sequence[Finding], *, color: bool = False) -> str:
    return "".join(finding_line(f, color=color) + "\n" for f in findings)


def findings_github(findings: Sequence[Finding], failing: Sequence[str]) -> str:
    out = []
    for f in findings:
        level = "error" if str(f.clients) in failing or str(f.log) in failing else "notice"
        out.append(f"::{level} title={escape_property(f.rule)}::{escape_data(f.path + ': ' + f.message)}\n")
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
