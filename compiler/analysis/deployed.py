"""What a compile changes against what is deployed: the deployment repo's `edgec.lock.json`, last `plan.json` and
the edges' own records (`edges/<edge>/plan.json`: which publish each edge is on).

Pure: the caller reads the files (bytes or None) from the deployment repository. Published versions are
immutable, so a publish recorded in the lock whose inputs (what the user wrote: `inputsDigest`, with each model's
content digest under `models`) or digests would change is an `immutable-changed` error. A record
that does not parse or validate is refused (`InvalidRecord`), never read as "nothing deployed". Unknown keys are
kept and ignored, so a lock that a newer edgec extended with fields of its own still reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs

LOCK_FILE = "edgec.lock.json"
PLAN_FILE = "plan.json"
#: Each edge's record in the deployment repository: `edges/<edge>/plan.json`.
EDGE_RECORD = "edges/{}/plan.json"
#: Lock versions this edgec reads. A version 1 lock may list `files` (per-file sha256, written by edgec before
#: drift was read from git): validated, then ignored.
READABLE_LOCK_VERSIONS = (1,)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_PUBLISH_STRINGS = ("pipeline", "version", "pipelineArtifact", "chart", "chartVersion")
_PUBLISH_DIGESTS = ("pipelineDigest", "chartDigest")


class InvalidRecord(ValueError):
    """`edgec.lock.json` or `plan.json` of the deployment repository does not parse or validate."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass(frozen=True)
class Deployed:
    """The last compile's record, validated: `lock` and `plan` are empty when nothing is deployed yet."""

    lock: Mapping[str, Any] = field(default_factory=dict)
    plan: Mapping[str, Any] = field(default_factory=dict)
    head: str | None = None
    edges: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # edge -> its record

    @classmethod
    def from_files(cls, lock: bytes | None, plan: bytes | None, head: str | None,
                   edges: Mapping[str, bytes] | None = None) -> Deployed:
        """`edges`: edge name -> its record's bytes. Raises `InvalidRecord` for a record that does not parse or
        validate, and for a plan without its lock: reading either as "nothing deployed" would lose the
        immutability of every recorded publish."""
        lock_doc = _parse(LOCK_FILE, lock, _check_lock)
        plan_doc = _parse(PLAN_FILE, plan, _check_plan)
        records = {name: _parse(EDGE_RECORD.format(name), data, _check_edge_record)
                   for name, data in sorted((edges or {}).items())}
        if (plan_doc or records) and not lock_doc:
            raise InvalidRecord(LOCK_FILE, "is missing, but plan.json records a deployment")
        return cls(lock_doc, plan_doc, head, records)

    @property
    def exists(self) -> bool:
        return bool(self.lock or self.plan)

    @property
    def publishes(self) -> Mapping[str, Any]:
        value = self.lock.get("publishes")
        return value if isinstance(value, Mapping) else {}

    @property
    def registry(self) -> str | None:
        value = self.lock.get("registry")
        return value if isinstance(value, str) else None

    @property
    def edge_publishes(self) -> dict[str, str]:
        """Edge -> the publish it was deployed on: the edges' records, else (a plan.json of an edgec before edge
        records) the plan's `edges` list."""
        edges = self.plan.get("edges")
        out = {e["name"]: e.get("publish", "") for e in edges if isinstance(e, Mapping) and "name" in e} \
            if isinstance(edges, list) else {}
        out.update({name: str(record["publish"]) for name, record in self.edges.items()})
        return out


def _parse(file: str, data: bytes | None, check: Callable[[Any], str | None]) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        raise InvalidRecord(file, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidRecord(file, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # digit limits; nesting deeper than the parser's stack
        reason = "nests too deep" if isinstance(exc, RecursionError) else str(exc)
        raise InvalidRecord(file, f"is not valid JSON ({reason})") from None
    problem = check(value)
    if problem is not None:
        raise InvalidRecord(file, problem)
    assert isinstance(value, dict)
    return value


def _check_lock(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "is not a JSON object"
    version = doc.get("version")
    if type(version) is not int or version not in READABLE_LOCK_VERSIONS:
        return f"has version {json.dumps(version)[:40]}; this edgec reads version {READABLE_LOCK_VERSIONS[-1]}"
    if not isinstance(doc.get("registry"), str):
        return "'registry' is not a string"
    publishes = doc.get("publishes")
    if not isinstance(publishes, dict):
        return "'publishes' is not an object"
    for name, entry in publishes.items():
        where = f"publishes.{name[:80]}"
        if not isinstance(entry, dict):
            return f"'{where}' is not an object"
        for key in _PUBLISH_STRINGS:
            if not isinstance(entry.get(key), str):
                return f"'{where}.{key}' is not a string"
        for key in _PUBLISH_DIGESTS:
            if not isinstance(entry.get(key), str) or not _DIGEST.match(entry[key]):
                return f"'{where}.{key}' is not a sha256 digest"
        problem = _check_inputs(entry, where)
        if problem is not None:
            return problem
    files = doc.get("files")
    if files is not None:
        if not isinstance(files, dict):
            return "'files' is not an object"
        for path, digest in files.items():
            if not isinstance(digest, str) or not _DIGEST.match(digest):
                return f"'files.{path[:120]}' is not a sha256 digest"
    return None


def _check_inputs(entry: Mapping[str, Any], where: str) -> str | None:
    """`inputsDigest` and `models` (absent in a lock of an edgec before they were recorded)."""
    if "inputsDigest" in entry and (not isinstance(entry["inputsDigest"], str)
                                    or not _DIGEST.match(entry["inputsDigest"])):
        return f"'{where}.inputsDigest' is not a sha256 digest"
    models = entry.get("models", {})
    if not isinstance(models, dict):
        return f"'{where}.models' is not an object"
    for model, digest in models.items():
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            return f"'{where}.models.{model[:80]}' is not a sha256 digest"
    return None


def _check_plan(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "is not a JSON object"
    edges = doc.get("edges", [])
    if not isinstance(edges, list):
        return "'edges' is not a list"
    for index, edge in enumerate(edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("name"), str) \
                or not isinstance(edge.get("publish"), str):
            return f"'edges[{index}]' is not an object with string 'name' and 'publish'"
    return None


def _check_edge_record(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "is not a JSON object"
    if not isinstance(doc.get("name"), str) or not isinstance(doc.get("publish"), str):
        return "is not an object with string 'name' and 'publish'"
    return None


@dataclass(frozen=True)
class Changes:
    deployed: bool
    publishes_added: tuple[str, ...]
    publishes_removed: tuple[str, ...]
    edges_added: tuple[str, ...]
    edges_removed: tuple[str, ...]
    edges_moved: tuple[tuple[str, str, str], ...]  # (edge, from publish, to publish)

    @property
    def any(self) -> bool:
        return bool(self.publishes_added or self.publishes_removed or self.edges_added or self.edges_removed
                    or self.edges_moved)

    def to_json(self) -> dict[str, Any]:
        return {
            "deployed": self.deployed,
            "publishesAdded": list(self.publishes_added),
            "publishesRemoved": list(self.publishes_removed),
            "edgesAdded": list(self.edges_added),
            "edgesRemoved": list(self.edges_removed),
            "edgesMoved": [{"edge": e, "from": a, "to": b} for e, a, b in self.edges_moved],
        }

    def summary(self) -> str:
        if not self.any:
            return "No changes against the deployment repository."
        parts = []
        for count, noun in ((len(self.edges_moved), "edge moves"), (len(self.edges_added), "edge added"),
                            (len(self.edges_removed), "edge removed"), (len(self.publishes_added), "publish added"),
                            (len(self.publishes_removed), "publish removed")):
            if count:
                parts.append(f"{count} {_plural(noun, count)}")
        return "Against the deployment repository: " + ", ".join(parts) + "."


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    head, _, tail = noun.partition(" ")
    head = {"publish": "publishes", "edge": "edges"}.get(head, head)
    tail = {"moves": "move"}.get(tail, tail)
    return f"{head} {tail}"


def compare(publishes: Mapping[str, Any], edge_publishes: Mapping[str, str], deployed: Deployed) -> Changes:
    """`publishes`: the new lock's publishes (or just their names); `edge_publishes`: edge -> current publish."""
    old_publishes, old_edges = deployed.publishes, deployed.edge_publishes
    return Changes(
        deployed=deployed.exists,
        publishes_added=tuple(sorted(set(publishes) - set(old_publishes))),
        publishes_removed=tuple(sorted(set(old_publishes) - set(publishes))),
        edges_added=tuple(sorted(set(edge_publishes) - set(old_edges))),
        edges_removed=tuple(sorted(set(old_edges) - set(edge_publishes))),
        edges_moved=tuple((e, old_edges[e], p) for e, p in sorted(edge_publishes.items())
                          if e in old_edges and old_edges[e] != p),
    )


def immutable_violations(specs: Specs, new_publishes: Mapping[str, Any], deployed: Deployed) -> list[Diagnostic]:
    """Publishes already recorded in the lock must keep their pipeline, version, inputs and digests. A recorded
    publish whose inputs are unchanged reuses its recorded digests, so only a change in what the user wrote (or a
    lock entry of an older edgec that records no inputs and whose rebuilt pipeline artifact differs) lands here."""
    out: list[Diagnostic] = []
    for name, entry in sorted(new_publishes.items()):
        old = deployed.publishes.get(name)
        if not isinstance(old, Mapping):
            continue
        changed = [key for key in ("pipeline", "version") if old.get(key) != entry.get(key)]
        if not changed and "inputsDigest" in old and old["inputsDigest"] != entry.get("inputsDigest"):
            changed += _inputs_changes(old.get("models", {}), entry.get("models", {}))
        if not changed:
            changed += [f"{kind} digest" for kind in ("pipeline", "chart")
                        if old.get(f"{kind}Digest") != entry.get(f"{kind}Digest")]
        if changed:
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("metadata", "name")), "immutable-changed",
                f"publish '{name}' is already deployed and would change ({', '.join(changed)})",
                hint="a publish is immutable once compiled: create a new publish that replaces it"))
    return out



def _inputs_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed in a recorded publish's inputs, as precisely as the lock tells: model contents by name,
    else the specs."""
    contents = [f"model '{name}' content" for name in sorted(set(old) & set(new)) if old[name] != new[name]]
    return contents or ["its specs: steps, models, deploymentConfig or platform"]
