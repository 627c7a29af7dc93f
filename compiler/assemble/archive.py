"""Byte-for-byte reproducible tar+gzip archives.

Used for Helm chart packages and for model directories pushed as OCI layers: the same inputs must give the
same bytes, hence the same digest. Entries are sorted, owners are 0/0 with empty names, times are the epoch,
modes are normalised to 0644 (0755 when executable), and the gzip header has no name and no timestamp.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path

_FILE_MODE = 0o644
_EXEC_MODE = 0o755


def tar_gz(files: Mapping[str, bytes], *, executable: Iterable[str] = ()) -> bytes:
    """Archive `files` (POSIX relative path -> content). Only files are stored, no directory entries."""
    exec_set = set(executable)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            _check_member_name(name)
            data = files[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = _EXEC_MODE if name in exec_set else _FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return gzip_bytes(raw.getvalue())


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0 (the header `gzip.compress` writes carries the current time)."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return out.getvalue()


def tar_gz_directory(directory: Path, *, prefix: str = "") -> bytes:
    """Archive every regular file below `directory` (symlinks are refused by the caller's path checks)."""
    files: dict[str, bytes] = {}
    executable: list[str] = []
    for path in sorted(directory.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        name = prefix + path.relative_to(directory).as_posix()
        files[name] = path.read_bytes()
        if path.stat().st_mode & stat.S_IXUSR:
            executable.append(name)
    return tar_gz(files, executable=executable)


def _check_member_name(name: str) -> None:
    parts = name.split("/")
    if not name or name.startswith("/") or ".." in parts or (os.sep != "/" and os.sep in name):
        raise ValueError(f"unsafe archive member name {name!r}")
