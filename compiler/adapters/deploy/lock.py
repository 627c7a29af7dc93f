"""An exclusive lock on a working folder, so two edgec processes on one machine never share a checkout.

Processes on different machines do not need it: each has its own clone and the remote's fast-forward rule
settles their race.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compiler.diagnostics import fail


@contextmanager
def folder_lock(folder: Path, *, timeout: float = 300.0) -> Iterator[None]:
    """Hold `<folder>.lock` (a sibling file, so cleaning the folder never removes it) for the block."""
    lock_path = folder.with_name(folder.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise fail("io-error", f"cannot create the lock file {lock_path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise fail(
                        "git-failed",
                        f"another edgec process has held {lock_path} for {timeout:.0f}s",
                        hint="wait for it to finish; the lock is released when that process exits",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
