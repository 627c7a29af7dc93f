"""Diagnostic printers: text, json, GitHub annotations and SARIF, behind one name map. Pure: they return strings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import __version__
from compiler.diagnostics import CODES, Diagnostic, Severity
from compiler.report.emit import Printers
from compiler.report.style import BOLD, DIM, SEVERITY_COLORS, Style

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PLAIN = Style()
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


@dataclass(frozen=True)
class DiagnosticsReport:
    """Diagnostics to print; with `files`, text output closes with a summary over that many spec files."""

    diagnostics: Sequence[Diagnostic]
    files: int | None = None


def text_line(d: Diagnostic, *, color: bool = False) -> str:
    """`file:line:col: error[code] message` plus an indented hint line."""
    style = Style(color=color)
    label = style.paint(SEVERITY_COLORS[d.severity], f"{d.severity}[{d.code}]")
    head = f"{style.paint(BOLD, d.position + ':')} {label} {d.message}"
    return head + (f"\n  {style.paint(DIM, 'hint:')} {d.hint}" if d.hint else "")


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    noun = "file" if files == 1 else "files"
    if not errors and not warnings:
        return f"ok: {files} spec {noun} valid"
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} in {files} spec {noun}"


def as_text(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    return "".join(text_line(d, color=color) + "\n" for d in diagnostics)


def as_json(diagnostics: Sequence[Diagnostic], **extra: object) -> str:
    return json.dumps({**extra, "diagnostics": [d.to_json() for d in diagnostics]}, indent=2) + "\n"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic, *, style: Style = PLAIN) -> str:
    """A GitHub Actions workflow command (`::error file=...,line=...,col=...,title=code::message`)."""
    props = []
    if d.file:
        props.append(f"file={escape_property(style.repo_path(d.file))}")
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.column is not None:
        props.append(f"col={d.column}")
    props.append(f"title={escape_property(d.code)}")
    message = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{escape_data(message)}"


def as_github(diagnostics: Sequence[Diagnostic], *, style: Style = PLAIN) -> str:
    return "".join(github_line(d, style=style) + "\n" for d in diagnostics)


def sarif_log(diagnostics: Sequence[Diagnostic], *, style: Style = PLAIN) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: a rule per code used, a result per diagnostic (GitHub code scanning)."""
    codes = sorted({d.code for d in diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    rules = [{"id": code, "name": code, "shortDescription": {"text": CODES[code].summary}} for code in codes]
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message + (f"\nhint: {d.hint}" if d.hint else "")},
        }
        if d.file:
            location: dict[str, Any] = {"artifactLocation": {"uri": style.repo_path(d.file)}}
            if d.line is not None:
                region: dict[str, int] = {"startLine": d.line}
                if d.column is not None:
                    region["startColumn"] = d.column
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    driver = {"name": "edgec", "version": __version__, "rules": rules}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION,
            "runs": [{"tool": {"driver": driver}, "results": results}]}


def as_sarif(diagnostics: Sequence[Diagnostic], *, style: Style = PLAIN) -> str:
    return json.dumps(sarif_log(diagnostics, style=style), indent=2, sort_keys=True) + "\n"


def _text(report: DiagnosticsReport, style: Style) -> str:
    out = as_text(report.diagnostics, color=style.color)
    if report.files is not None and not style.quiet:
        out += summary(report.diagnostics, report.files) + "\n"
    return out


PRINTERS: Printers[DiagnosticsReport] = {
    "text": _text,
    "json": lambda report, style: as_json(report.diagnostics),
    "github": lambda report, style: as_github(report.diagnostics, style=style),
    "sarif": lambda report, style: as_sarif(report.diagnostics, style=style),
}
