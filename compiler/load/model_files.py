"""Model artifact paths: they must exist and stay inside the spec root (no `..`, absolute path or symlink out)."""

from __future__ import annotations

import os
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
    return out


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
