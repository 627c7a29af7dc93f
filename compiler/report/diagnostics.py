"""Diagnostic printers: text, json and GitHub annotations, behind one name map. Pure: they return strings."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from compiler.diagnostics import Diagnostic, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _position(d: Diagnostic) -> str:
    parts = [d.file or "edgec"]
    if d.line is not None:
        parts.append(str(d.line))
        if d.column is not None:
            parts.append(str(d.column))
    return ":".join(parts)


def text_line(d: Diagnostic, *, color: bool = False) -> str:
    """`file:line:col: error[code] message` plus an indented hint line."""
    if color:
        head = f"{_BOLD}{_position(d)}:{_RESET} {_COLORS[d.severity]}{d.severity}[{d.code}]{_RESET} {d.message}"
        hint = f"\n  {_DIM}hint:{_RESET} {d.hint}" if d.hint else ""
    else:
        head = f"{_position(d)}: {d.severity}[{d.code}] {d.message}"
        hint = f"\n  hint: {d.hint}" if d.hint else ""
    return head + hint


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


def github_line(d: Diagnostic) -> str:
    """A GitHub Actions workflow command (`::error file=...,line=...,col=...,title=code::message`)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[d.severity]
    props = []
    if d.file:
        props.append(f"file={escape_property(d.file)}")
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.column is not None:
        props.append(f"col={d.column}")
    props.append(f"title={escape_property(d.code)}")
    message = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(github_line(d) + "\n" for d in diagnostics)


PRINTERS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": as_text,
    "json": as_json,
    "github": as_github,
}
