"""Write a rendered tree into a folder without ever touching a file that edgec did not write.

`render --out DIR` owns only the paths it wrote there before, listed in the manifest `DIR/.edgec-render.json`.
A render stages every file in a temporary sibling folder first (a failure there changes nothing), checks that
each path it is about to write is either new or its own, then moves each file into place with an atomic rename,
deletes the paths of its previous manifest that it no longer renders (and the folders that leaves empty), and
writes the new manifest last. It refuses, with nothing changed:
- a non-empty folder that holds no manifest (edgec never wrote there);
- a path it would write over, or a folder in its way, that is not its own;
- a folder that is the spec root, holds it, or lies inside it (the rendered YAML would be read as specs, and
  `render --out .` must not touch `edgec.yaml`, `specs/` or `models/`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from compiler.diagnostics import fail

MANIFEST = ".edgec-render.json"
MANIFEST_VERSION = 1
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
            or name == MANIFEST
        ):
            raise fail("path-escape", f"refusing to write {name!r}: not a plain path inside the output folder")
        paths.append(path)
    as_set = set(paths)
    for path in paths:
        for parent in path.parents:
            if parent in as_set:
                raise fail("path-escape", f"refusing to write {str(path)!r}: {str(parent)!r} is a file")
    return paths


def write_tree(files: Mapping[str, bytes], out_dir: Path, *, spec_root: Path | None = None) -> None:
    """Make `out_dir` hold `files` in the paths edgec owns there; every other entry stays as it is."""
    paths = check_paths(files)
    out_dir = Path(os.path.abspath(out_dir))
    if spec_root is not None:
        _refuse_spec_root(out_dir, spec_root)
    if out_dir.exists() and not out_dir.is_dir():
        raise fail("io-error", f"cannot write the tree: {out_dir} is not a folder")
    owned = _owned(out_dir)
    try:
        _refuse_foreign(out_dir, paths, owned)
    except OSError as exc:
        raise _io_error(out_dir, exc) from exc
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    except OSError as exc:
        raise _io_error(out_dir, exc) from exc
    try:
        for path in paths:
            target = staging.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(files[str(path)])
            os.chmod(target, _FILE_MODE)
        manifest = json.dumps({"version": MANIFEST_VERSION, "files": [str(p) for p in paths]}, indent=2) + "\n"
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        _move_into_place(staging, out_dir, paths, owned)
    except OSError as exc:
        raise _io_error(out_dir, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _refuse_spec_root(out_dir: Path, spec_root: Path) -> None:
    out, root = out_dir.resolve(), spec_root.resolve()
    if out == root or out in root.parents or root in out.parents:
        where = "is the spec root" if out == root else ("holds the spec root" if out in root.parents
                                                        else "is inside the spec root")
        raise fail("out-not-owned", f"refusing to render into {out_dir}: it {where} {root}",
                   hint="render into a folder outside the spec repository (for example ../rendered)")


def _owned(out_dir: Path) -> set[PurePosixPath]:
    """The paths the previous render wrote into `out_dir`; refuses a non-empty folder edgec never wrote to."""
    if not out_dir.is_dir():
        return set()
    manifest = out_dir / MANIFEST
    try:
        if not manifest.is_file():
            if any(out_dir.iterdir()):
                raise fail("out-not-owned", f"refusing to render into {out_dir}: it is not empty and edgec did not "
                           f"render into it before (no {MANIFEST})",
                           hint="pick a new or empty folder; edgec never deletes or overwrites files it did not write")
            return set()
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _io_error(out_dir, exc) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail("out-not-owned", f"refusing to render into {out_dir}: {MANIFEST} is not a manifest edgec wrote",
                   hint="restore it, or render into a new folder") from exc
    listed = record.get("files") if isinstance(record, dict) else None
    if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
        raise fail("out-not-owned", f"refusing to render into {out_dir}: {MANIFEST} is not a manifest edgec wrote",
                   hint="restore it, or render into a new folder")
    try:  # the manifest is data from disk: its paths must be plain relative paths too
        return set(check_paths(dict.fromkeys(listed, b"")))
    except Exception as exc:
        raise fail("out-not-owned", f"refusing to render into {out_dir}: {MANIFEST} lists a path outside it",
                   hint="restore it, or render into a new folder") from exc


def _refuse_foreign(out_dir: Path, paths: Iterable[PurePosixPath], owned: set[PurePosixPath]) -> None:
    for path in paths:
        target = out_dir.joinpath(*path.parts)
        if (target.exists() or target.is_symlink()) and (path not in owned or not target.is_file()
                                                         or target.is_symlink()):
            raise fail("out-not-owned", f"refusing to render into {out_dir}: {path} exists and edgec did not write it",
                       hint="move that file away, or render into a new folder")
        for parent in reversed(path.parents[:-1] if len(path.parents) > 1 else []):
            folder = out_dir.joinpath(*parent.parts)
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise fail("out-not-owned", f"refusing to render into {out_dir}: {parent} is in the way of {path} "
                           "and edgec did not write it", hint="move it away, or render into a new folder")


def _move_into_place(staging: Path, out_dir: Path, paths: list[PurePosixPath], owned: set[PurePosixPath]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(out_dir, _DIR_MODE)
    for path in paths:
        target = out_dir.joinpath(*path.parts)
        for parent in reversed(target.parents):
            if parent.is_relative_to(out_dir) and parent != out_dir and not parent.is_dir():
                parent.mkdir(mode=_DIR_MODE)
        os.replace(staging.joinpath(*path.parts), target)
    for stale in sorted(owned - set(paths), reverse=True):
        target = out_dir.joinpath(*stale.parts)
        if target.is_file() and not target.is_symlink():
            target.unlink()
        for parent in target.parents:  # the folders that only held edgec's files
            if parent == out_dir or not parent.is_relative_to(out_dir):
                break
            try:
                parent.rmdir()
            except OSError:
                break  # not empty: something else lives there
    os.replace(staging / MANIFEST, out_dir / MANIFEST)


def _io_error(out_dir: Path, exc: OSError) -> Exception:
    where = f" ({exc.filename})" if exc.filename else ""
    return fail("io-error", f"cannot write the rendered tree to {out_dir}: {exc.strerror or exc}{where}")
