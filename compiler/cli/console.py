"""Where output goes and how it looks: the only place that decides on colour and quietness."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO


@dataclass
class Console:
    out: TextIO
    err: TextIO
    color: bool
    quiet: bool
    verbose: bool

    @classmethod
    def create(cls, *, no_color: bool, quiet: bool, verbose: bool) -> Console:
        color = (not no_color and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
                 and sys.stdout.isatty())
        return cls(sys.stdout, sys.stderr, color, quiet, verbose)

    @property
    def interactive(self) -> bool:
        """A person watches stderr: progress displays are welcome (never in CI or with -q)."""
        return not self.quiet and not os.environ.get("CI") and self.err.isatty()

    def write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.out.flush()

    def note(self, text: str) -> None:
        """Human-oriented remarks on stderr; silenced by -q."""
        if not self.quiet:
            self.err.write(text.rstrip("\n") + "\n")
            self.err.flush()
