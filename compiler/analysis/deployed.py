"""What a compile changes against what is deployed: the deployment repo's `edgec.lock.json` and last `plan.json`.

Pure: the caller reads the two files (bytes or None) from the deployment repository. Published versions are
immutable, so a publish recorded in the lock whose digests would change is an `immutable-changed` error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs


@dataclass(frozen=True)
class Deployed:
    """The last compile's record, as far as it can be read."""

    lock: Mapping[str, Any] = field(default_factory=dict)
    plan: Mapping[str, Any] = field(default_factory=dict)
    head: str | None = None

    @classmethod
    def from_files(cls, lock: bytes | None, plan: bytes | None, head: str | None) -> Deployed:
        return cls(_json(lock), _json(plan), head)

    @property
    def exists(self) -> bool:
        return bool(self.lock or self.plan)

    @property
    def publishes(self) -> Mapping[str, Any]:
        value = self.lock.get("publishes")
        return value if isinstance(value, Mapping) else {}

    @property
    def edge_publishes(self) -> dict[str, str]:
        edges = self.plan.get("edges")
        if not isinstance(edges, list):
            return {}
        return {e["name"]: e.get("publish", "") for e in edges if isinstance(e, Mapping) and "name" in e}


def _json(data: bytes | None) -> dict[str, Any]:
    if not data:
        return {}
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}  # a hand-edited or corrupt record is treated as absent: the next commit rewrites it
    return value if isinstance(value, dict) else {}


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
    """Publishes already recorded in the lock must keep their pipeline, version and digests."""
    out: list[Diagnostic] = []
    for name, entry in sorted(new_publishes.items()):
        old = deployed.publishes.get(name)
        if not isinstance(old, Mapping):
            continue
        changed = [key for key in ("pipeline", "version") if old.get(key) != entry.get(key)]
        changed += [f"{kind} digest" for kind in ("pipeline", "chart")
                    if old.get(f"{kind}Digest") != entry.get(f"{kind}Digest")]
        if changed:
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("metadata", "name")), "immutable-changed",
                f"publish '{name}' is already deployed and would change ({', '.join(changed)})",
                hint="a publish is immutable once compiled: create a new publish that replaces it"))
    return out

