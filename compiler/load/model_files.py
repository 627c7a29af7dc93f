"""Model artifact paths: what may ship as a model layer.

An artifact must exist and stay inside the spec root (no `..`, absolute path or symlink out). It may not be the
spec root itself, nor be or lie under a hidden folder (`.git` holds CI's job token, `.edgec` the deployment
cache, `.env` files secrets): those would be published whole. Only regular files ship: a FIFO or device would
hang or flood the build. Symlinks inside the root to regular files are followed (the Hugging Face cache layout
links snapshots to blobs); a folder that would ship no file is refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs


def check_artifacts(specs: Specs) -> list[Diagnostic]:
    root = specs.root.resolve()
    out: list[Diagnostic] = []
    for name, model in specs.models.items():
        where = specs.locate("Model", name, ("spec", "artifact"))
        written = model.spec.artifact
        if PurePosixPath(written).is_absolute() or Path(written).is_absolute() or "\\" in written:
            out.append(Diagnostic.at(where, "path-escape", f"artifact path '{written}' is absolute",
                                     hint="write the path relative to the spec file"))
            continue
        path = specs.artifact_path(name)
        if not _inside(Path(os.path.normpath(path)), root):
            out.append(Diagnostic.at(where, "path-escape", f"artifact path '{written}' leaves the spec root"))
            continue
        hidden = _hidden_part(Path(os.path.normpath(path)), root)
        if Path(os.path.normpath(path)) == root or path.resolve() == root:
            out.append(Diagnostic.at(where, "path-escape", f"artifact '{written}' is the spec root itself",
                                     hint="point at the model file or the folder that holds only the model"))
            continue
        if hidden is not None:
            out.append(Diagnostic.at(where, "path-escape",
                                     f"artifact '{written}' lies in the hidden folder '{hidden}', which is never "
                                     "published", hint="move the model out of hidden folders (.git, .edgec, ...)"))
            continue
        if not path.exists() and not path.is_symlink():
            out.append(Diagnostic.at(where, "artifact-missing", f"artifact '{written}' does not exist",
                                     hint=f"looked for {path.relative_to(specs.root).as_posix()}"))
            continue
        escaping = _escaping_link(path, root)
        if escaping is not None:
            out.append(Diagnostic.at(where, "path-escape",
                                     f"artifact '{written}' reaches outside the spec root through the symlink "
                                     f"'{escaping.relative_to(specs.root).as_posix()}'"))
        elif not path.resolve().exists():
            out.append(Diagnostic.at(where, "artifact-missing", f"artifact '{written}' is a dangling symlink"))
        elif (hidden := _hidden_part(path.resolve(), root)) is not None:
            out.append(Diagnostic.at(where, "path-escape",
                                     f"artifact '{written}' links into the hidden folder '{hidden}', which is "
                                     "never published"))
        elif (odd := _not_regular(path)) is not None:
            what = odd.relative_to(specs.root).as_posix() if _inside(odd, specs.root) else written
            out.append(Diagnostic.at(where, "not-regular-file",
                                     f"artifact '{written}' holds '{what}', which is not a regular file",
                                     hint="only regular files are published; remove FIFOs, devices and sockets"))
        elif path.is_dir() and not _holds_a_file(path):
            out.append(Diagnostic.at(where, "artifact-missing", f"artifact folder '{written}' holds no file",
                                     hint="an empty folder would publish an empty layer under an immutable tag"))
    return out


def _hidden_part(path: Path, root: Path) -> str | None:
    """The first folder name starting with `.` on the way from `root` to `path`, if any."""
    if not _inside(path, root):
        return None
    for part in path.relative_to(root).parts:
        if part.startswith("."):
            return part
    return None


def _members(path: Path) -> list[Path]:
    return [path] if not path.is_dir() else sorted(path.rglob("*"))


def _not_regular(path: Path) -> Path | None:
    """The first entry at or below `path` that is neither a folder nor (through in-root links) a regular file."""
    for entry in _members(path):
        try:
            mode = entry.stat().st_mode
        except OSError:  # a dangling link inside the folder
            return entry
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return entry
    return None


def _holds_a_file(folder: Path) -> bool:
    return any(entry.is_file() for entry in folder.rglob("*"))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _escaping_link(path: Path, root: Path) -> Path | None:
    """The first symlink at or below `path` whose target leaves `root`, if any."""
    candidates = [path]
    if path.is_dir() and not path.is_symlink():
        candidates += sorted(path.rglob("*"))
    for candidate in candidates:
        if candidate.is_symlink() and not _inside(candidate.resolve(), root):
            return candidate
    if not _inside(path.resolve(), root):
        return path
    return None
