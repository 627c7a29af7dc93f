"""A large synthetic spec repository for the validate benchmark: realistic block-style YAML, seeded, valid.

`python bench/generate_specs.py OUT [--resources 10000] [--seed 0] [--single-doc]` writes, below OUT:

- `edgec.yaml` (kind Config);
- `families/<family>/models.yaml`: the family's models (multi-document), with input/output schemas of scalar,
  tensor, nested `struct`, `list` and decimal/timestamp fields; later models of a family add nullable output
  fields (FIELD_ADDED_OPTIONAL: info for every audience), so each replacement has a real, non-failing schema diff;
- `families/<family>/pipelines.yaml`: pipelines with several versions (one step, or a preprocessor feeding a
  predictor, whose outputs and inputs match exactly) and an assay per pipeline;
- `families/<family>/publishes.yaml`: replacement chains (`replaces`), version-updates within a pipeline and
  pipeline-transfers between the family's pipelines, with deployment configs;
- `edges/region-NNN.yaml`: edge locations added anywhere along the chains, with tags and Helm value overrides;
- `models/<family>/<model>.onnx`: small stand-in artifact files.

Resources split about 8% models, 5% pipelines, 20% publishes, 5% assays, 62% edge locations; 10,000 resources
make about 5 MB of YAML in about 420 files. With `--single-doc`, every document is its own file
(`<file stem>-NNN.yaml`, in the same folder, so the relative artifact paths still resolve): the same resources,
for tools that read one document per file (check-jsonschema). The output validates clean with
`python -m compiler validate --root OUT -q`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API = "edgec.dev/v1"
HEADER = "# yaml-language-server: $schema=https://edgec.dev/schemas/v1/edgec.schema.json\n"
MODELS_PER_FAMILY = 8
EDGES_PER_FILE = 50
_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./ -]*(?<! )$")
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|m|k|M|G)$")  # 512Mi, 2Gi: strings in YAML
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}

# (arch, accel) per family, in turn: most fleets are plain x86, some arm Jetsons, some GPUs.
_DEVICES = [("x86", "none")] * 5 + [("arm", "jetson"), ("x86", "cuda"), ("arm", "none")]
_FRAMEWORKS = ["onnx", "onnx", "tensorflow", "pytorch", "sklearn", "xgboost"]
_SCALARS = ["float32", "float64", "int32", "int64", "string", "bool", "int16", "uint8"]
_WORDS = ["price", "sqft", "rooms", "age", "zip", "lat", "lon", "score", "count", "ratio", "temp", "speed",
          "weight", "depth", "volume", "label", "class", "region", "store", "sensor", "reading", "window"]


# ---------------------------------------------------------------------------------------------- YAML emitter
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (_PLAIN.match(text) and text.lower() not in _RESERVED) or _QUANTITY.match(text):
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _flow(value: Any) -> str | None:
    """A short flow form for small lists of scalars and small flat mappings; None when block style fits better."""
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        text = "[" + ", ".join(_scalar(v) for v in value) + "]"
    elif isinstance(value, dict) and value and len(value) <= 3 and all(
            not isinstance(v, dict | list) for v in value.values()):
        text = "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, dict) and not value:
        text = "{}"
    else:
        return None
    return text if len(text) <= 60 else None


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            flow = _flow(item) if isinstance(item, dict | list) else _scalar(item)
            if flow is not None:
                out.append(f"{pad}{key}: {flow}")
            else:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                lines: list[str] = []
                _emit(item, indent + 2, lines)
                out.append(f"{pad}- {lines[0][indent + 2:]}")
                out.extend(lines[1:])
            else:
                out.append(f"{pad}- {_flow(item) or _scalar(item)}")
    else:
        out.append(pad + _scalar(value))


def to_yaml(document: dict[str, Any], comment: str | None = None) -> str:
    lines = [f"# {comment}"] if comment else []
    _emit(document, 0, lines)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------- resources
def _doc(kind: str, name: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": API, "kind": kind, "metadata": metadata, "spec": spec}


def _field(rng: random.Random, name: str, depth: int = 0) -> dict[str, Any]:
    """A random field: mostly scalars and tensors, some structs, lists, decimals and timestamps."""
    roll = rng.random()
    if depth < 2 and roll < 0.12:
        return {"name": name, "type": "struct", "description": f"{name} details",
                "fields": [_field(rng, f"{name}_{rng.choice(_WORDS)}{i}", depth + 1) for i in range(rng.randint(2, 4))]}
    if depth < 2 and roll < 0.22:
        item: dict[str, Any] = {"type": rng.choice(_SCALARS)}
        if rng.random() < 0.3:
            item = {"type": "struct", "fields": [_field(rng, f"{w}{i}", depth + 2)
                                                 for i, w in enumerate(rng.sample(_WORDS, 2))]}
        return {"name": name, "type": "list", "nullable": rng.random() < 0.3, "items": item}
    if roll < 0.27:
        return {"name": name, "type": "decimal", "precision": rng.choice([10, 18, 38]), "scale": rng.choice([2, 4])}
    if roll < 0.32:
        return {"name": name, "type": "timestamp", "unit": rng.choice(["ms", "us"]), "tz": "UTC"}
    if roll < 0.45:
        return {"name": name, "type": "float32", "shape": [rng.choice([-1, 1]), rng.choice([4, 8, 16, 18, 32])],
                "description": f"{name} tensor"}
    out: dict[str, Any] = {"name": name, "type": rng.choice(_SCALARS)}
    if rng.random() < 0.3:
        out["nullable"] = True
    if rng.random() < 0.4:
        out["description"] = f"the {name.replace('_', ' ')} feature"
    return out


def _schema(rng: random.Random, prefix: str, size: int) -> list[dict[str, Any]]:
    names = [f"{prefix}_{w}{i}" for i, w in enumerate(rng.sample(_WORDS, size))]
    return [_field(rng, name) for name in names]


@dataclass
class Family:
    """Models sharing one input/output contract, the pipelines that run them and their publish chains."""

    name: str
    arch: str
    accel: str
    two_step: bool
    models: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)  # pipelines and assays
    publishes: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Shape:
    resources: int = 10_000
    seed: int = 0

    @property
    def families(self) -> int:
        return max(1, round(self.resources * 0.08 / MODELS_PER_FAMILY))

    @property
    def publishes(self) -> int:
        return max(self.families * 2, round(self.resources * 0.20))

    @property
    def pipelines(self) -> int:
        return max(self.families, round(self.resources * 0.05))


def _family(rng: random.Random, index: int) -> Family:
    arch, accel = _DEVICES[index % len(_DEVICES)]
    family = Family(f"fam-{index:03d}", arch, accel, two_step=index % 3 == 1)
    inputs = _schema(rng, "in", rng.randint(3, 7))
    outputs = _schema(rng, "out", rng.randint(2, 4))
    raw = _schema(rng, "raw", rng.randint(4, 8))
    framework = rng.choice(_FRAMEWORKS)
    start = 0
    if family.two_step:  # model 0 preprocesses raw inputs into the predictors' inputs
        family.models.append(_model(family, "prep", "python", raw, inputs, "feature preprocessing"))
        start = 1
    extras = [{"name": f"out_extra{j}", "type": rng.choice(_SCALARS), "nullable": True,
               "description": f"added by model {j}"} for j in range(MODELS_PER_FAMILY)]
    for k in range(start, MODELS_PER_FAMILY):
        family.models.append(_model(family, f"m{k}", framework, inputs, outputs + extras[start + 1:k + 1],
                                    f"predictor {k}"))
    return family


def _model(family: Family, suffix: str, framework: str, inputs: list[Any], outputs: list[Any],
           purpose: str) -> dict[str, Any]:
    name = f"{family.name}-{suffix}"
    spec: dict[str, Any] = {"framework": framework, "artifact": f"../../models/{family.name}/{name}.onnx"}
    if family.arch != "x86":
        spec["arch"] = family.arch
    if family.accel != "none":
        spec["accel"] = family.accel
    spec["inputSchema"] = inputs
    spec["outputSchema"] = outputs
    return _doc("Model", name, spec, {"team": f"team-{family.name[-1]}", "purpose": purpose.replace(" ", "-")})


def _predictors(family: Family) -> list[str]:
    return [m["metadata"]["name"] for m in family.models if not m["metadata"]["name"].endswith("-prep")]


def _chains(rng: random.Random, shape: Shape, families: list[Family]) -> tuple[list[tuple[str, str, str, str]],
                                                                              list[int]]:
    """Publish chains over every family; returns, per publish, (name, family, arch, accel) for the edges, and the
    indices of the chain heads."""
    publishes: list[tuple[str, str, str, str]] = []
    heads: list[int] = []
    chain_count = max(len(families), shape.pipelines // 2)
    per_chain = max(2, shape.publishes // chain_count)
    for c in range(chain_count):
        family = families[c % len(families)]
        predictors = _predictors(family)
        length = per_chain + (1 if c < shape.publishes - per_chain * chain_count else 0)
        segments = 1 if length < 4 else 2  # two pipelines: one pipeline-transfer in the chain
        cut = -(-length // segments)
        previous: str | None = None
        heads.append(len(publishes))
        for s in range(segments):
            first, last = s * cut, min(length, (s + 1) * cut)
            pipeline = f"{family.name}-c{c:03d}-p{s}"
            versions = []
            for k in range(first, last):
                model = predictors[k * len(predictors) // length]
                steps = [{"model": f"{family.name}-prep"}, {"model": model}] if family.two_step else [{"model": model}]
                versions.append({"name": f"v{k - first + 1}", "steps": steps})
            family.pipelines.append(_doc("Pipeline", pipeline, {"versions": versions}))
            family.pipelines.append(_doc("Assay", f"{pipeline}-drift", {
                "pipeline": pipeline, "model": versions[0]["steps"][-1]["model"], "iopath": "output variable 0"}))
            for k in range(first, last):
                name = f"{family.name}-c{c:03d}-pub{k}"
                spec: dict[str, Any] = {"pipeline": pipeline, "version": f"v{k - first + 1}"}
                if previous:
                    spec["replaces"] = [previous]
                cpus = rng.choice([1, 2, 4, 8])
                spec["deploymentConfig"] = {
                    "engine": {"cpus": cpus, "memory": f"{cpus * 2}Gi", "gpus": 1 if family.accel == "cuda" else 0},
                    "engineLb": {"cpus": 0.2, "memory": "512Mi"}}
                family.publishes.append(_doc("Publish", name, spec))
                publishes.append((name, family.name, family.arch, family.accel))
                previous = name
    return publishes, heads


def _edges(rng: random.Random, count: int, publishes: list[tuple[str, str, str, str]],
           heads: list[int]) -> Iterator[dict[str, Any]]:
    """Edge locations: one on each chain head (so no replacement moves nothing), the others anywhere."""
    for e in range(count):
        publish, family, arch, accel = publishes[heads[e] if e < len(heads) else rng.randrange(len(publishes))]
        spec: dict[str, Any] = {"publish": publish, "tags": [f"store-{e:05d}", f"region-{e % 37:02d}", family],
                                "arch": arch, "accel": accel}
        values: dict[str, Any] = {"replicas": rng.choice([1, 2]),
                                  "nodeSelector": {"kubernetes.io/hostname": f"node-{e:05d}"}}
        if rng.random() < 0.5:
            values["engine"] = {"extraEnv": [{"name": "LOG_LEVEL", "value": rng.choice(["info", "debug"])},
                                             {"name": "TZ", "value": "UTC"}]}
        if rng.random() < 0.3:
            values["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "edge",
                                      "effect": "NoSchedule"}]
        spec["values"] = values
        labels = {"site": f"site-{e // 10:04d}", "region": f"region-{e % 37:02d}",
                  "tier": rng.choice(["gold", "silver", "bronze"]), "owner": f"ops-{e % 7}"}
        yield _doc("EdgeLocation", f"edge-{e:05d}", spec, labels)


def generate(shape: Shape) -> dict[str, list[dict[str, Any]]]:
    """The repository as {relative file path: documents}; artifact and config files are added by `write`."""
    rng = random.Random(shape.seed)
    families = [_family(rng, i) for i in range(shape.families)]
    publishes, heads = _chains(rng, shape, families)
    files: dict[str, list[dict[str, Any]]] = {}
    for family in families:
        files[f"families/{family.name}/models.yaml"] = family.models
        files[f"families/{family.name}/pipelines.yaml"] = family.pipelines
        files[f"families/{family.name}/publishes.yaml"] = family.publishes
    used = sum(len(docs) for docs in files.values())
    edges = list(_edges(rng, max(1, shape.resources - used), publishes, heads))
    for start in range(0, len(edges), EDGES_PER_FILE):
        files[f"edges/region-{start // EDGES_PER_FILE:03d}.yaml"] = edges[start:start + EDGES_PER_FILE]
    return files


CONFIG = """\
# yaml-language-server: $schema=https://edgec.dev/schemas/v1/edgec.schema.json
apiVersion: edgec.dev/v1
kind: Config
spec:
  engineImage: ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0
  compatibility: BACKWARD
  outputs: [helm-values, argocd, flux]
"""


def write(root: Path, shape: Shape, *, single_doc: bool = False) -> dict[str, int]:
    """Write the repository below `root`; returns counts (files, documents, bytes of spec YAML)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "edgec.yaml").write_text(CONFIG)
    stats = {"files": 0, "documents": 0, "bytes": 0}
    for rel, documents in generate(shape).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        texts = [to_yaml(doc, _comment(doc)) for doc in documents]
        if single_doc:
            outputs = {path.with_name(f"{path.stem}-{i:03d}.yaml"): HEADER + text for i, text in enumerate(texts)}
        else:
            outputs = {path: HEADER + "---\n".join(texts)}
        for target, text in outputs.items():
            target.write_text(text)
            stats["files"] += 1
            stats["bytes"] += len(text)
        stats["documents"] += len(documents)
        for doc in documents:
            if doc["kind"] == "Model":
                artifact = (path.parent / doc["spec"]["artifact"]).resolve()
                artifact.parent.mkdir(parents=True, exist_ok=True)
                artifact.write_bytes(b"ONNX stand-in for " + doc["metadata"]["name"].encode() + b"\n")
    return stats


def _comment(doc: dict[str, Any]) -> str | None:
    replaces = doc["spec"].get("replaces") if doc["kind"] == "Publish" else None
    return f"moves the edges of {replaces[0]} here" if replaces else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write the spec repository into")
    parser.add_argument("--resources", type=int, default=10_000, help="number of resources (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--single-doc", action="store_true", help="one document per file")
    args = parser.parse_args(argv)
    stats = write(args.out, Shape(args.resources, args.seed), single_doc=args.single_doc)
    print(f"{args.out}: {stats['documents']:,} resources in {stats['files']:,} files, "
          f"{stats['bytes'] / 1e6:.1f} MB of YAML", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
