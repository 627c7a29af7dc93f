"""A small progress printer for pushes. The CLI decides whether to use it (not with -q, not in CI)."""

from __future__ import annotations

import sys
from typing import TextIO

from compiler.adapters.oci.store import ProgressEvent
from compiler.report.style import REWRITE_LINE

_VERBS = {
    "blob-uploaded": "pushed",
    "blob-present": "exists",
    "manifest": "tagged",
    "unchanged": "unchanged",
}


def human_size(size: int) -> str:
    """Decimal units, `999 B` to `1.5 MB`; GB is the largest."""
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "kB"
    for larger in ("MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    return f"{value:.1f} {unit}"


class TtyProgress:
    """Prints one line per event to stderr; on a terminal, blob lines overwrite each other."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._open_line = False

    def __call__(self, event: ProgressEvent) -> None:
        verb = _VERBS.get(event.kind, event.kind)
        short = event.digest.removeprefix("sha256:")[:12]
        if event.kind == "blob-progress":
            if not self._tty:
                return  # bytes moving are for a person watching a terminal
            text = (f"{event.reference}: blob {event.index}/{event.total} {short} "
                    f"{human_size(event.done)} / {human_size(event.size)}")
            self._stream.write(REWRITE_LINE + text)
            self._open_line = True
            self._stream.flush()
            return
        if event.kind.startswith("blob-"):
            text = f"{event.reference}: blob {event.index}/{event.total} {short} {human_size(event.size)} {verb}"
            if self._tty:
                self._stream.write(REWRITE_LINE + text)
                self._open_line = True
                self._stream.flush()
                return
        else:
            text = f"{event.reference}: {verb} {event.digest}"
        if self._open_line:
            self._stream.write(REWRITE_LINE)
            self._open_line = False
        self._stream.write(text + "\n")
        self._stream.flush()
