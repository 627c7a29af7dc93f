"""Byte-for-byte reproducible tar+gzip archives, written as a stream.

Used for Helm chart packages and for model directories pushed as OCI layers: the same inputs must give the
same bytes, hence the same digest. Entries are sorted, owners are 0/0 with empty names, times are the epoch,
modes are normalised to 0644 (0755 when executable), and the gzip header has no name and no timestamp.

`TarGzStream` yields the archive in pieces while reading each file in chunks, so a model folder of any size is
archived (and hashed) in bounded memory; run it again and it yields the same bytes. It writes what
`tarfile.open(mode="w")` writes (PAX headers, two zero blocks, padding to a 10 KiB record) without holding
a member's data.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

_FILE_MODE = 0o644
_EXEC_MODE = 0o755
_READ = 1 << 20
GZIP_LEVEL = 9  # part of every digest: changing it changes the bytes (recorded publishes are reused by input)


@dataclass(frozen=True)
class Member:
    name: str  # POSIX path inside the archive
    source: bytes | Path
    size: int
    executable: bool = False


class TarGzStream:
    """The archive of `members` as a repeatable stream; `tar_digest` is the digest of the uncompressed tar
    (oras's `io.deis.oras.content.digest`), known after the first full pass."""

    def __init__(self, members: Iterable[Member], *, level: int | None = None) -> None:
        self.members = sorted(members, key=lambda m: m.name)
        for member in self.members:
            _check_member_name(member.name)
        self.level = GZIP_LEVEL if level is None else level
        self.tar_digest: str | None = None

    def __call__(self) -> Iterator[bytes]:
        sink = _Sink()
        tar_hash = hashlib.sha256()
        with gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0, compresslevel=self.level) as gz:
            for raw in self._tar_pieces():
                tar_hash.update(raw)
                gz.write(raw)
                if sink.pending >= _READ:
                    yield sink.drain()
        yield sink.drain()
        self.tar_digest = "sha256:" + tar_hash.hexdigest()

    def _tar_pieces(self) -> Iterator[bytes]:
        offset = 0
        for member in self.members:
            info = tarfile.TarInfo(member.name)
            info.size = member.size
            info.mtime = 0
            info.mode = _EXEC_MODE if member.executable else _FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            header = info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
            yield header
            offset += len(header)
            written = 0
            for chunk in _read(member.source):
                written += len(chunk)
                if written > member.size:
                    raise OSError(f"{member.name} grew while it was archived")
                yield chunk
            if written != member.size:
                raise OSError(f"{member.name} changed size while it was archived")
            offset += written
            if written % tarfile.BLOCKSIZE:
                padding = tarfile.BLOCKSIZE - written % tarfile.BLOCKSIZE
                yield tarfile.NUL * padding
                offset += padding
        end = tarfile.NUL * (tarfile.BLOCKSIZE * 2)
        offset += len(end)
        remainder = offset % tarfile.RECORDSIZE
        yield end + (tarfile.NUL * (tarfile.RECORDSIZE - remainder) if remainder else b"")


class _Sink(io.RawIOBase):
    """Collects what gzip writes, handed out by `drain`."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self.pending = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        self.pending = 0
        return out


def _read(source: bytes | Path) -> Iterator[bytes]:
    if isinstance(source, bytes):
        yield source
        return
    with open(source, "rb") as handle:
        while chunk := handle.read(_READ):
            yield chunk


def tar_gz(files: Mapping[str, bytes], *, executable: Iterable[str] = ()) -> bytes:
    """Archive `files` (POSIX relative path -> content) in memory. Only files are stored, no directory entries."""
    exec_set = set(executable)
    stream = TarGzStream(Member(name, data, len(data), name in exec_set) for name, data in files.items())
    return b"".join(stream())


def directory_members(directory: Path, *, prefix: str = "") -> list[Member]:
    """Every regular file below `directory`, named `prefix` + its relative POSIX path. A symlink to a regular
    file ships as that file's content (the load stage has refused links that leave the spec root)."""
    members: list[Member] = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        status = path.stat()
        members.append(Member(prefix + path.relative_to(directory).as_posix(), path, status.st_size,
                              bool(status.st_mode & stat.S_IXUSR)))
    return members


def _check_member_name(name: str) -> None:
    parts = name.split("/")
    if not name or name.startswith("/") or ".." in parts or (os.sep != "/" and os.sep in name):
        raise ValueError(f"unsafe archive member name {name!r}")
