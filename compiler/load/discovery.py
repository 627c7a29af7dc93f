"""Which files of a spec root are specs."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from pathlib import Path

CONFIG_FILE = "edgec.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


def find_root(start: Path) -> Path | None:
    """The nearest folder upward holding `edgec.yaml`; None when there is none (no folder is a root by default:
    scanning a home folder would read every YAML file in it)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def discover(root: Path, exclude: Sequence[str] = ()) -> list[str]:
    """Spec files below `root` as sorted POSIX paths relative to it.

    Folders whose name starts with a dot (`.git`, `.edgec`) are never entered. `exclude` holds fnmatch globs
    matched against the relative path (`*` also crosses `/`, so `vendor/*` excludes the whole folder).
    """
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_folder = Path(folder).relative_to(root).as_posix()
        for name in files:
            if not name.endswith(SPEC_SUFFIXES) or name.startswith("."):
                continue
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if rel == CONFIG_FILE or any(fnmatch.fnmatchcase(rel, pattern) for pattern in exclude):
                continue
            found.append(rel)
    return sorted(found)
