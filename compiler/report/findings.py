"""Schema findings for people (`edgec diff`): one line per finding with its two verdicts. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from compiler.analysis.schemadiff import Finding
from compiler.report.diagnostics import escape_data, escape_property

_COLOR = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"


def finding_line(f: Finding, *, color: bool = False) -> str:
    worst = str(max((f.clients, f.log), key=lambda s: ("info", "warning", "error").index(str(s))))
    label = f"{_COLOR[worst]}{worst}{_RESET}" if color else worst
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
