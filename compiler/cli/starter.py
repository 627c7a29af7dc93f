"""`edgec init`: copy the starter spec repo shipped in `templates/starter/` into a new folder.

The new repository gets a local editor association that works offline: a copy of the JSON Schema at
`schemas/edgec.schema.json`, `.vscode/settings.json` mapping it (`yaml.schemas`) to `edgec.yaml` and every
file under `specs/`, and a relative `# yaml-language-server: $schema=` line atop each starter file for other
editors (yaml-language-server in Neovim, Helix, Zed, ...). `edgec schema > schemas/edgec.schema.json` refreshes
the copy after an edgec upgrade.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler.diagnostics import fail
from compiler.resources import schema_path, templates_dir

#: Where `edgec init` puts the copy of the schema, relative to the new spec root (the starter's settings and
#: `$schema=` lines point here).
SCHEMA_COPY = Path("schemas") / "edgec.schema.json"


def write_starter(target: Path) -> list[Path]:
    """Write the starter into `target` (absent or empty). Files and folders named `_x` become `.x`."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise fail("usage", f"{target} already exists and is not an empty folder",
                   hint="edgec init writes a new spec repo; pick a new or empty folder")
    source = templates_dir() / "starter"
    written: list[Path] = []
    try:
        for path in sorted(source.rglob("*")):
            if not path.is_file():
                continue
            parts = ["." + part[1:] if part.startswith("_") else part for part in path.relative_to(source).parts]
            written.append(_copy(path, target.joinpath(*parts)))
        written.append(_copy(schema_path(), target / SCHEMA_COPY))
    except OSError as exc:
        raise fail("io-error", f"cannot write {target}: {exc.strerror or exc}") from exc
    return written


def _copy(source: Path, destination: Path) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return destination
