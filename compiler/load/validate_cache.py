"""`edgec validate` answered from a content-hash cache in `.edgec/validate-cache.json` when nothing changed.

A validate run is a pure function of: edgec itself (its version, the source files of the `compiler` package and
the shipped JSON Schema), the Python version, the spec root's absolute path, `edgec.yaml`, the list of
discovered spec files and their bytes, and the shape of every model artifact path (what exists there: file,
folder or symlink, its target, size and mtime; validate checks paths and symlinks, never artifact bytes). The
cache stores one entry: a hash of all of that and the run's diagnostics. A later run recomputes the hash from
the files (stat and read; nothing heavy is imported) and replays the stored diagnostics only when it is equal,
so an edit, a rename, a new or deleted file, another artifact, another edgec or another schema is a miss and
runs the real validation. Errors are cached like any other result: a hit replays them, it never hides one.

The cache is best effort: an unreadable or corrupt entry is a miss, and a spec root where `.edgec/` cannot be
written simply runs uncached.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from compiler import __version__
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.discovery import CONFIG_FILE, discover
from compiler.resources import schema_path

if TYPE_CHECKING:
    from compiler.load.spec_set import Specs

CACHE_FILE = ".edgec/validate-cache.json"
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]
_MAX_HASHED = 64 * 2**20  # bytes of one spec file


class Validated(Protocol):
    """What a validate run returns (`compiler.analysis.analyze.Analysis` satisfies it)."""

    @property
    def diagnostics(self) -> list[Diagnostic]: ...

    @property
    def files(self) -> list[str]: ...

    @property
    def specs(self) -> Specs: ...


@dataclass(frozen=True)
class Outcome:
    diagnostics: list[Diagnostic]
    files: int  # spec files read
    cached: bool


def validate_cached(root: Path, run: Callable[[Path], Validated]) -> Outcome:
    """`run(root)`'s diagnostics, from the cache when every input is unchanged."""
    root = root.resolve()
    entry = _read_entry(root)
    tool = _tool_fingerprint()
    if entry is not None and entry.get("tool") == tool:
        replayed = _replay(root, entry)
        if replayed is not None:
            return replayed
    before = _stamps(root)
    result = run(root)
    specs = result.specs
    artifacts = sorted({_relative(root, specs.artifact_path(name)) for name in specs.models
                        if ("Model", name) in specs.documents})
    exclude = list(specs.config.exclude)
    key = _inputs_key(root, exclude, result.files, artifacts)
    if key is not None and _stamps(root) == before:  # a file edited during the run: its result is not cached
        _write_entry(root, {
            "format": FORMAT, "tool": tool, "exclude": exclude, "artifacts": artifacts, "key": key,
            "files": len(result.files), "diagnostics": [d.to_json() for d in result.diagnostics],
        })
    return Outcome(list(result.diagnostics), len(result.files), cached=False)


def _replay(root: Path, entry: dict[str, Any]) -> Outcome | None:
    try:
        exclude, artifacts = list(entry["exclude"]), list(entry["artifacts"])
        files = discover(root, exclude)
        if _inputs_key(root, exclude, files, artifacts) != entry["key"] or len(files) != entry["files"]:
            return None
        diagnostics = [_diagnostic(d) for d in entry["diagnostics"]]
    except (KeyError, TypeError, ValueError, OSError):
        return None
    return Outcome(diagnostics, len(files), cached=True)


# ------------------------------------------------------------------------------------------------ fingerprints
def _tool_fingerprint() -> str:
    """edgec's version, the stat of every source file of the package, the schema's bytes, Python's version."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    for folder, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            path = os.path.join(folder, name)
            info = os.stat(path)
            digest.update(f"{os.path.relpath(path, _PACKAGE)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    digest.update(_file_digest(schema_path()).encode())
    return digest.hexdigest()


def _inputs_key(root: Path, exclude: Sequence[str], files: Iterable[str], artifacts: Iterable[str]) -> str | None:
    """One hash over the root, the config, every spec file's path and bytes and every artifact path's shape."""
    digest = hashlib.sha256(f"{root}\0{json.dumps(list(exclude))}\0".encode())
    try:
        config = root / CONFIG_FILE
        digest.update(f"config\0{_spec_digest(config) if config.exists() else '-'}\0".encode())
        for rel in files:
            digest.update(f"spec\0{rel}\0{_spec_digest(root / rel)}\0".encode())
        for rel in artifacts:
            digest.update(f"artifact\0{rel}\0{_shape(root / rel)}\0".encode())
    except OSError:
        return None
    return digest.hexdigest()


def _stamps(root: Path) -> list[tuple[str, int, int]]:
    """Size and mtime of the config and of every candidate spec file (no exclusions)."""
    stamps = []
    for rel in [CONFIG_FILE, *discover(root)]:
        try:
            info = (root / rel).stat()
        except OSError:
            continue
        stamps.append((rel, info.st_size, info.st_mtime_ns))
    return stamps


def _spec_digest(path: Path) -> str:
    """A spec file's bytes, where it really is, and whether it is a symlink; never opens anything but a regular
    file of bounded size (a FIFO or /dev/zero named as a spec file would block or never end)."""
    real = os.path.realpath(path)
    link = os.readlink(path) if path.is_symlink() else ""
    try:
        target = os.stat(path)
    except FileNotFoundError:
        return f"dangling\0{link}"
    if not stat.S_ISREG(target.st_mode):
        return f"special\0{stat.S_IFMT(target.st_mode)}\0{link}\0{real}"
    if target.st_size > _MAX_HASHED:
        raise OSError(f"{path}: too large to fingerprint")  # run uncached; the loader reports the limit
    return f"{_file_digest(path)}\0{link}\0{real}"


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _shape(path: Path) -> str:
    """What validate can see at an artifact path: kinds, symlink targets, sizes and mtimes, recursively."""
    parts: list[str] = []
    pending = [path]
    while pending:
        current = pending.pop()
        try:
            info = current.lstat()
        except FileNotFoundError:
            parts.append(f"{current}\0absent")
            continue
        if current.is_symlink():
            parts.append(f"{current}\0link\0{os.readlink(current)}\0{current.resolve()}\0{current.exists()}")
        elif current.is_dir():
            parts.append(f"{current}\0dir")
            pending.extend(sorted(current.iterdir(), reverse=True))
        else:
            parts.append(f"{current}\0file\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}")
    return hashlib.sha256("\0\0".join(parts).encode(errors="surrogateescape")).hexdigest()


def _relative(root: Path, path: Path) -> str:
    """The artifact path as written, relative to the root where it can be (an escaping path stays absolute)."""
    normal = Path(os.path.normpath(path))
    try:
        return normal.relative_to(root).as_posix()
    except ValueError:
        return str(normal)


# ------------------------------------------------------------------------------------------------ storage
def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    return Diagnostic(data.get("file"), data.get("line"), data.get("column"), data["code"], data["message"],
                      Severity(data["severity"]), data.get("hint"))


def _read_entry(root: Path) -> dict[str, Any] | None:
    try:
        entry = json.loads((root / CACHE_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None


def _write_entry(root: Path, entry: dict[str, Any]) -> None:
    """Atomically (a temporary file renamed over the entry), so a concurrent run reads the old or the new one."""
    target = root / CACHE_FILE
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".validate-cache-")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, sort_keys=True)
        os.replace(temporary, target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
