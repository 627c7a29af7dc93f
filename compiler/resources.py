"""Where the files that ship with edgec live: the JSON Schema, the templates and the edge chart.

An installed wheel carries them in `compiler/_data/` (pyproject.toml force-includes the top-level `schemas/` and
`templates/` there); a source checkout or an editable install reads them from the repository root.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    bundled = _PACKAGE / "_data"
    return bundled if bundled.is_dir() else _PACKAGE.parent


def schema_path() -> Path:
    return data_dir() / "schemas" / "edgec.schema.json"


def templates_dir() -> Path:
    return data_dir() / "templates"
