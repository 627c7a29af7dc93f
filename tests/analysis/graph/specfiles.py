"""Write small spec repositories for tests: documents as dicts, or a case folder with the shared models."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

CASES = Path(__file__).resolve().parents[2] / "cases" / "graph"
SHARED = CASES / "_shared"
API = "edgec.dev/v1"


def doc(kind: str, name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": {"name": name}, "spec": spec}


def publish(name: str, pipeline: str, version: str, replaces: Sequence[str] = (), **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"pipeline": pipeline, "version": version, **extra}
    if replaces:
        spec["replaces"] = list(replaces)
    return doc("Publish", name, **spec)


def edge(name: str, on: str, **extra: Any) -> dict[str, Any]:
    return doc("EdgeLocation", name, publish=on, **extra)


def assay(name: str, pipeline: str, model: str) -> dict[str, Any]:
    return doc("Assay", name, pipeline=pipeline, model=model, iopath="output variable 0")


def pipeline(name: str, *versions: Sequence[str]) -> dict[str, Any]:
    """`pipeline("p", ["ma"], ["mb", "mc"])`: versions v1, v2, ... with those step models."""
    return doc("Pipeline", name, versions=[{"name": f"v{i + 1}", "steps": [{"model": m} for m in steps]}
                                           for i, steps in enumerate(versions)])


def dump(documents: Iterable[Mapping[str, Any]]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump_all([dict(d) for d in documents], out)
    return out.getvalue()


def write_root(root: Path, files: Mapping[str, Iterable[Mapping[str, Any]]], *, shared: bool = True) -> Path:
    """A spec root with `files` (relative path -> documents); with `shared`, the shared models and pipelines
    (`ma`, `mb`, `mc`, `marm`, `mstr`, `mwide`; `pa`, `pb`, `pc`) and their artifact."""
    root.mkdir(parents=True, exist_ok=True)
    if shared:
        shutil.copy(SHARED / "models.yaml", root / "models.yaml")
        (root / "m.onnx").write_bytes(b"not really onnx")
    for rel, documents in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(documents))
    return root


def case_root(case: str, into: Path) -> Path:
    root = into / case
    shutil.copytree(CASES / case, root, ignore=shutil.ignore_patterns("expected.txt"))
    return write_root(root, {})
