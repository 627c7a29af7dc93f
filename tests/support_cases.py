"""Scenario cases as folders: `tests/cases/<area>/<case>/` overlays `tests/cases/<area>/_base/`.

Each case has `expected.txt` with one `path:line:col code` line per expected diagnostic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CASES = Path(__file__).parent / "cases"


def case_names(area: str) -> list[str]:
    return sorted(p.name for p in (CASES / area).iterdir() if p.is_dir() and not p.name.startswith("_"))


def materialise(area: str, case: str, target: Path) -> Path:
    """Copy the area's base spec root, then the case's files over it; return the spec root."""
    shutil.copytree(CASES / area / "_base", target, dirs_exist_ok=True)
    source = CASES / area / case
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.name != "expected.txt":
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def expected(area: str, case: str) -> list[str]:
    text = (CASES / area / case / "expected.txt").read_text(encoding="utf-8")
    return sorted(line.strip() for line in text.splitlines() if line.strip())
