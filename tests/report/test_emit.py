"""One map of printers per kind of output: the CLI offers exactly its keys; ANSI codes live in one module."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from compiler.cli.main import build_parser
from compiler.report import compile_outcome, diagnostics, findings, graph_format, plan_formats
from compiler.report.emit import emit
from compiler.report.style import Style

PACKAGE = Path(__file__).resolve().parents[2] / "compiler"


def _format_choices(command: str) -> tuple[str, ...]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if "--format" in a.option_strings)
    return tuple(action.choices or ())


@pytest.mark.parametrize(("command", "printers"), [
    ("validate", diagnostics.PRINTERS), ("render", diagnostics.PRINTERS), ("init", diagnostics.PRINTERS),
    ("plan", plan_formats.PRINTERS), ("compile", compile_outcome.PRINTERS), ("diff", findings.PRINTERS),
    ("graph", graph_format.PRINTERS),
])
def test_each_command_offers_the_formats_of_its_printer_map(command: str, printers: dict) -> None:
    assert _format_choices(command) == tuple(printers)


def test_emit_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="no printer for format 'xml'"):
        emit(diagnostics.PRINTERS, "xml", diagnostics.DiagnosticsReport([]), Style())


def test_ansi_codes_are_defined_in_one_module() -> None:
    escape = re.compile(r"\\033\[|\\x1b\[|\\u001b\[|\\e\[")
    holders = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if escape.search(p.read_text()))
    assert holders == ["report/style.py"]


def test_positions_are_spelled_in_one_place() -> None:
    spelled = re.compile(r"\{[a-z_.]*\.?line\}:\{[a-z_.]*\.?col")
    holders = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if spelled.search(p.read_text()))
    assert holders == []
