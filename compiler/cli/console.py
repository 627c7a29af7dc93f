"""Where output goes and how it looks: the only place that decides on colour, quietness and path prefixes."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from compiler.report.emit import Printers, emit
from compiler.report.style import Style

Subject = TypeVar("Subject")


def repo_prefix(root: Path | None, environ: Mapping[str, str]) -> str:
    """The spec root's path inside the checkout a code host sees, as a prefix (`deploy/fleet/`), else `""`.

    GitHub resolves annotation and SARIF paths against `GITHUB_WORKSPACE` (the checkout); elsewhere the nearest
    folder upward that holds `.git` is the work tree. Diagnostics name files relative to the spec root, so with
    `--root deploy/fleet` in a monorepo they need this prefix to attach to the right file.
    """
    if root is None:
        return ""
    root = root.resolve()
    base: Path | None = None
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace and root.is_relative_to(Path(workspace).resolve()):
        base = Path(workspace).resolve()
    else:
        base = next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), None)
    if base is None or base == root:
        return ""
    return root.relative_to(base).as_posix() + "/"


@dataclass
class Console:
    out: TextIO
    err: TextIO
    color: bool
    quiet: bool
    verbose: bool
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @classmethod
    def create(cls, *, no_color: bool, quiet: bool, verbose: bool) -> Console:
        color = (not no_color and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
                 and sys.stdout.isatty())
        return cls(sys.stdout, sys.stderr, color, quiet, verbose)

    @property
    def interactive(self) -> bool:
        """A person watches stderr: progress displays are welcome (never in CI or with -q)."""
        return not self.quiet and not self.environ.get("CI") and self.err.isatty()

    def style(self, root: Path | None = None, *, color: bool | None = None) -> Style:
        return Style(color=self.color if color is None else color, quiet=self.quiet,
                     path_prefix=repo_prefix(root, self.environ))

    def emit(self, printers: Printers[Subject], fmt: str, subject: Subject, *, root: Path | None = None) -> None:
        """Print `subject` in `fmt` on stdout: the one way every command prints its result."""
        self.write(emit(printers, fmt, subject, self.style(root)))

    def write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.out.flush()

    def note(self, text: str) -> None:
        """Human-oriented remarks on stderr; silenced by -q."""
        if not self.quiet:
            self.err.write(text.rstrip("\n") + "\n")
            self.err.flush()
