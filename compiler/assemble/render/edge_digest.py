"""The render digest of one edge: everything its files are rendered from, as one sha256.

Recorded in `edges/<edge>/plan.json` (`renderDigest`), so a recompile that finds the same digest there (and no
drift in the edge's folder) knows the edge's files would come out byte for byte as they are, and neither renders
nor rewrites them. The digest covers the edge's `EdgeRelease` (publish, digests, device, values, labels, ...),
its plan entry (history, log pipelines, wave), the enabled outputs, and the code that renders: edgec's version,
the bytes of every module of the package and every template, so an edgec upgrade (or a local edit of the
renderer) renders every edge again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from compiler import __version__
from compiler.assemble.render.values import EdgeRelease
from compiler.resources import templates_dir

DIGEST_FORMAT = "edgec.dev/render-digest/v1"


@cache
def code_fingerprint() -> str:
    """sha256 over edgec's version and the bytes of its Python modules and templates (read once per process)."""
    package = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(f"{DIGEST_FORMAT}\0{__version__}\0".encode())
    for base, pattern in ((package, "*.py"), (templates_dir(), "*")):
        for path in sorted(p for p in base.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(base).as_posix()}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(item) for item in value]
    return value


def render_digest(release: EdgeRelease, outputs: Sequence[str], entry: Mapping[str, Any]) -> str:
    """The digest of what one edge's files are rendered from."""
    key = {
        "code": code_fingerprint(),
        "outputs": sorted(str(kind) for kind in outputs),
        "release": {f.name: _plain(getattr(release, f.name)) for f in dataclasses.fields(release)},
        "entry": _plain(entry),
    }
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
