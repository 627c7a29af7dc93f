"""Synthetic fleets: replacement chains of any length, many edge locations, as spec documents, as files, or as
an in-memory `Specs` (no files, no positions) for the plan benchmark.

Chain c has `chain_length` publishes; publish k replaces publish k-1. The chain is cut into `segments`
pipelines (so it holds `segments - 1` pipeline-transfers; the other replacements are version-updates), each
version runs one of four models in turn, every pipeline has an assay on its first model, and each edge is added
to a random publish of a chain (so edges start anywhere, mid-chain included).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.load.spec_set import Specs
from compiler.spec.model import (
    AssayResource,
    EdgeLocationResource,
    ModelResource,
    PipelineResource,
    PublishResource,
)

API = "edgec.dev/v1"
MODELS = 4


@dataclass(frozen=True)
class FleetShape:
    edges: int
    publishes: int
    chain_length: int
    segments: int = 2  # pipelines per chain
    seed: int = 0
    rollouts: int = 0  # the last `rollouts` replacements of each chain move their edges in waves


    @property
    def chains(self) -> int:
        return max(1, self.publishes // self.chain_length)


def _doc(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": {"name": name}, "spec": spec}


def fleet_documents(shape: FleetShape) -> Iterator[dict[str, Any]]:
    rng = random.Random(shape.seed)
    field = [{"name": "tensor", "type": "float32", "shape": [18]}]
    for m in range(MODELS):
        yield _doc("Model", f"m{m}", {"framework": "onnx", "artifact": "m.onnx", "inputSchema": field,
                                      "outputSchema": [{"name": "variable", "type": "float32"}]})
    length = shape.chain_length
    per_segment = -(-length // shape.segments)
    for c in range(shape.chains):
        for s in range(shape.segments):
            first, last = s * per_segment, min(length, (s + 1) * per_segment)
            if first >= last:
                continue
            pipeline = f"c{c}-s{s}"
            yield _doc("Pipeline", pipeline, {"versions": [
                {"name": f"v{k - first + 1}", "steps": [{"model": f"m{k % MODELS}"}]} for k in range(first, last)]})
            yield _doc("Assay", f"{pipeline}-drift", {"pipeline": pipeline, "model": f"m{first % MODELS}",
                                                      "iopath": "output variable 0"})
            for k in range(first, last):
                spec: dict[str, Any] = {"pipeline": pipeline, "version": f"v{k - first + 1}"}
                if k:
                    spec["replaces"] = [f"c{c}-p{k - 1}"]
                    if k >= length - shape.rollouts:
                        spec["rollout"] = _rollout(length - 1 - k)
                yield _doc("Publish", f"c{c}-p{k}", spec)
    for e in range(shape.edges):
        c = e % shape.chains
        document = _doc("EdgeLocation", f"edge-{e}", {"publish": f"c{c}-p{rng.randrange(length)}"})
        if shape.rollouts:
            document["metadata"]["labels"] = {"hw": f"rev-{'ab'[e % 2]}", **({"ring": "canary"} if e % 50 == 0 else {})}
            document["spec"]["tags"] = ["west"] if e % 3 == 0 else ["east"]
        yield document


_WAVES = [
    {"name": "canary", "selector": {"matchLabels": {"ring": "canary"}}, "soak": "2h"},
    {"name": "ten", "selector": {"percent": 10}, "soak": "1d"},
    {"name": "west", "selector": {"matchTags": ["west"]}},
    {"name": "rest"},
]


def _rollout(index: int) -> dict[str, Any]:
    """Four waves; the roll-outs of a chain stand at different waves (the newest has moved nothing yet)."""
    promoted = [None, "canary", "ten", "west"][index % 4]
    return {"waves": _WAVES, "coverage": ["hw"], **({"promoted": promoted} if promoted else {})}


_RESOURCES = {"Model": ModelResource, "Pipeline": PipelineResource, "Publish": PublishResource,
              "EdgeLocation": EdgeLocationResource, "Assay": AssayResource}


def fleet_specs(shape: FleetShape, root: Path = Path("fleet")) -> Specs:
    """The fleet as a validated in-memory `Specs` (no source documents: diagnostics carry no position)."""
    specs = Specs(root=root)
    for document in fleet_documents(shape):
        kind = document["kind"]
        specs.of_kind(kind)[document["metadata"]["name"]] = _RESOURCES[kind].model_validate(document)
    return specs


def write_fleet(root: Path, shape: FleetShape, *, per_file: int = 500) -> Path:
    """The fleet as a spec repository: `per_file` documents per multi-document file, plus a model artifact."""
    import json

    root.mkdir(parents=True, exist_ok=True)
    (root / "m.onnx").write_bytes(b"synthetic")
    batch: list[str] = []
    index = 0
    for document in fleet_documents(shape):
        batch.append(json.dumps(document))  # JSON is YAML: fast to write and to parse
        if len(batch) == per_file:
            (root / f"fleet-{index:04d}.yaml").write_text("\n---\n".join(batch) + "\n")
            batch, index = [], index + 1
    if batch:
        (root / f"fleet-{index:04d}.yaml").write_text("\n---\n".join(batch) + "\n")
    return root
