"""Read a spec file's text: only a regular file inside the spec root, and never more than the size limit.

Specs come from pull requests: a spec file may be a symlink to `/dev/zero`, `/proc/self/environ` or a file
outside the repository, or a FIFO that never ends. Links are resolved and must stay inside the root; the file
is opened without blocking and checked as a regular file on the open descriptor; and what is read is bounded
(`st_size` alone is not: `/proc` files and devices report 0).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from compiler.diagnostics import Diagnostic, Location

MAX_BYTES = 8 * 1024 * 1024


def read_spec_text(
    path: Path, display: str, *, root: Path | None = None, max_bytes: int = MAX_BYTES
) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or the diagnostic that refuses it."""
    where = Location(display)
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a symlink loop"
        return None, Diagnostic.at(where, "io-error", f"cannot read file: {reason}")
    if root is not None and target != root and root.resolve() not in target.parents:
        return None, Diagnostic.at(where, "path-escape", "the spec file is a symlink to a file outside the spec root",
                                   hint="spec files are read only inside the spec root; copy the file in")
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return None, Diagnostic.at(where, "io-error", f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, Diagnostic.at(where, "not-regular-file",
                                       f"the spec file is {_kind(info.st_mode)}, not a regular file",
                                       hint="only regular files are read as specs")
        if info.st_size > max_bytes:
            return None, _too_large(where, f"file is {info.st_size:,} bytes", max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, Diagnostic.at(where, "io-error", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return None, _too_large(where, "file grew past the limit while read", max_bytes)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Diagnostic.at(Location(display, line, column), "yaml-syntax",
                                   f"file is not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02x})",
                                   hint="save the file as UTF-8")


def _too_large(where: Location, what: str, max_bytes: int) -> Diagnostic:
    return Diagnostic.at(where, "input-limit", f"{what}; the limit is {max_bytes:,}",
                         hint="split large specs into several files")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
