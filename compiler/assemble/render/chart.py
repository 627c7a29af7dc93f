"""The edge Helm chart, packaged per publish as chart `<pipeline>` at its chart version (`compiler.spec.naming`).

The chart source ships in `templates/edge-chart/` (without Chart.yaml, which is generated here). Packaging is
byte-for-byte reproducible (compiler.assemble.archive), so the chart's digest is known before any push.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

from compiler.assemble.archive import tar_gz
from compiler.assemble.render.serialize import to_yaml
from compiler.resources import templates_dir
from compiler.spec.model import NAME_PATTERN, VERSION_PATTERN
from compiler.spec.naming import chart_version

CHART_SOURCE = "edge-chart"
_DESCRIPTION = "Wallaroo edge inference engine for one pipeline publish, rendered by edgec."


def chart_source_dir() -> Path:
    return templates_dir() / CHART_SOURCE


def chart_metadata(pipeline: str, version: str) -> dict[str, Any]:
    """Chart.yaml as a dict (also the OCI config blob of the chart, as JSON)."""
    return {
        "apiVersion": "v2",
        "name": pipeline,
        "version": chart_version(version),
        "appVersion": version,
        "type": "application",
        "description": _DESCRIPTION,
        "keywords": ["wallaroo", "edge", "inference"],
    }


def package_chart(pipeline: str, version: str) -> tuple[bytes, dict[str, Any]]:
    """(the chart's .tgz bytes, its Chart.yaml dict); entries live under `<pipeline>/` as `helm package` does."""
    if not re.match(NAME_PATTERN, pipeline) or len(pipeline) > 63:
        raise ValueError(f"pipeline name {pipeline!r} is not a valid chart name")
    if not re.match(VERSION_PATTERN, version):
        raise ValueError(f"version {version!r} cannot be a chart version")
    metadata = chart_metadata(pipeline, version)
    files = {f"{pipeline}/{name}": data for name, data in _source_files(chart_source_dir()).items()}
    files[f"{pipeline}/Chart.yaml"] = to_yaml(metadata).encode("utf-8")
    return tar_gz(files), metadata


def _source_files(root: Path) -> dict[str, bytes]:
    ignore_file = root / ".helmignore"
    patterns = [
        line.strip()
        for line in (ignore_file.read_text().splitlines() if ignore_file.is_file() else [])
        if line.strip() and not line.lstrip().startswith("#")
    ]
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise ValueError(f"the chart source holds a symlink: {path}")
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        if rel == "Chart.yaml" or any(fnmatch.fnmatch(path.name, p) for p in patterns):
            continue
        files[rel] = path.read_bytes()
    return files
