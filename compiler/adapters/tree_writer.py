"""Write a rendered tree atomically.

The whole tree is written into a temporary sibling folder, then swapped into place with two renames (old
folder aside, new folder in), and the old folder is removed. A failure before the swap leaves the old tree
untouched; a failed second rename puts the old folder back. Files of removed edges vanish with the old folder.

`out_dir` belongs to edgec, except its top-level hidden entries (`.git`, `.gitattributes`, ...), which are
carried over into the new tree unchanged, so `out_dir` may be the root of a deployment repository.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from compiler.diagnostics import fail

_DIR_MODE = 0o755
_FILE_MODE = 0o644


def check_paths(files: Mapping[str, bytes]) -> list[PurePosixPath]:
    """The paths, sorted; refuses any that is absolute, climbs with `..`, or collides with another."""
    paths: list[PurePosixPath] = []
    for name in sorted(files):
        path = PurePosixPath(name)
        if (
            not name
            or "\\" in name
            or "\0" in name
            or path.is_absolute()
            or any(part in ("", ".", "..") for part in name.split("/"))
        ):
            raise fail("path-escape", f"refusing to write {name!r}: not a plain path inside the output folder")
        paths.append(path)
    as_set = set(paths)
    for path in paths:
        for parent in path.parents:
            if parent in as_set:
                raise fail("path-escape", f"refusing to write {str(path)!r}: {str(parent)!r} is a file")
    return paths


def write_tree(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Make `out_dir` hold exactly `files` (plus its own top-level hidden entries), atomically."""
    paths = check_paths(files)
    out_dir = Path(os.path.abspath(out_dir))
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if out_dir.exists() and not out_dir.is_dir():
            raise fail("io-error", f"cannot write the tree: {out_dir} is not a folder")
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise _io_error(out_dir, exc) from exc
    try:
        for path in paths:
            target = new.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(files[str(path)])
            os.chmod(target, _FILE_MODE)
        for directory in sorted({p for p in new.rglob("*") if p.is_dir()} | {new}):
            os.chmod(directory, _DIR_MODE)
        _swap(new, out_dir, {p.parts[0] for p in paths})
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise _io_error(out_dir, exc) from exc
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _swap(new: Path, out_dir: Path, rendered_top: set[str]) -> None:
    if not out_dir.exists():
        os.rename(new, out_dir)
        return
    kept = sorted(e.name for e in out_dir.iterdir() if e.name.startswith(".") and e.name not in rendered_top)
    moved: list[str] = []
    try:
        for name in kept:
            os.rename(out_dir / name, new / name)
            moved.append(name)
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "tree")
    except OSError:
        for name in reversed(moved):
            os.rename(new / name, out_dir / name)
        raise
    try:
        os.rename(new, out_dir)
    except OSError:
        os.rename(old / "tree", out_dir)
        for name in reversed(moved):
            os.rename(new / name, out_dir / name)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _io_error(out_dir: Path, exc: OSError) -> Exception:
    where = f" ({exc.filename})" if exc.filename else ""
    return fail("io-error", f"cannot write the rendered tree to {out_dir}: {exc.strerror or exc}{where}")
