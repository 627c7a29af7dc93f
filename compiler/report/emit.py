"""One way to print any output: a map of printers per kind of output, and `emit`.

Each kind of output (diagnostics, the plan, schema findings, the graph, a compile's outcome) has one map from
format name to a pure printer `(subject, style) -> str`; the CLI offers exactly the keys of its map as `--format`
choices and prints through `emit`, so adding a format is one entry in one map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from compiler.report.style import Style

Subject = TypeVar("Subject")
Printers = Mapping[str, Callable[[Subject, Style], str]]


def emit(printers: Printers[Subject], fmt: str, subject: Subject, style: Style) -> str:
    """The text of `subject` in `fmt`; an unknown format is a programming error (argparse offers the keys)."""
    try:
        printer = printers[fmt]
    except KeyError:
        raise ValueError(f"no printer for format {fmt!r}; known: {', '.join(sorted(printers))}") from None
    return printer(subject, style)
