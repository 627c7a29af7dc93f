"""`edgec init`: copy the starter spec repo shipped in `templates/starter/` into a new folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler.diagnostics import fail
from compiler.resources import templates_dir


def write_starter(target: Path) -> list[Path]:
    """Write the starter into `target` (absent or empty). Files named `_x` become dotfiles `.x`."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail("usage", f"{target} already exists and is not an empty folder",
                   hint="edgec init writes a new spec repo; pick a new or empty folder")
    source = templates_dir() / "starter"
    written: list[Path] = []
    try:
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(source)
            name = "." + rel.name[1:] if rel.name.startswith("_") else rel.name
            destination = target / rel.parent / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            written.append(destination)
    except OSError as exc:
        raise fail("io-error", f"cannot write {target}: {exc.strerror or exc}") from exc
    return written
