"""Drift (SPEC section 8): what changed behind edgec's back in the deployment repository and the artifact store.

An owned file drifted when it changed after edgec's last commit of the deployment repository: the tree that commit
wrote is the record, compared by git object id without reading a file. A file that differs is edited, one that
is gone deleted, a new file under `edges/` added; the commit that last touched it is named, and only the drifted
files are read (for the sha256 of what was written and of what is there now). A tag of a
recorded publish drifted when it points to another digest (moved) or no longer exists (gone). Drift is a warning:
`compile` restores files (their content comes from the specs) and re-pushes a gone tag with the recorded digest,
but it never pushes over a moved tag (`immutable-changed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from compiler.adapters.deploy import MANAGED_DIR, CommitInfo, DeployState
from compiler.adapters.oci.store import ArtifactStore
from compiler.analysis.deployed import LOCK_FILE, Deployed
from compiler.assemble.oci_objects import sha256_digest
from compiler.diagnostics import Diagnostic, Location, Severity
from compiler.load.spec_set import Specs

DriftKind = Literal["edited", "deleted", "added", "tag-moved", "tag-gone"]

_FILE_HINTS: dict[str, str] = {
    "edited": "edgec compile writes it back from the specs; to keep the change, make it in the specs "
              "(an Edge's `values`) and compile",
    "deleted": "edgec compile writes it back from the specs; to remove it for good, remove it from the specs",
    "added": f"edgec owns {MANAGED_DIR}/ and edgec compile deletes it; keep hand-made files outside {MANAGED_DIR}/",
}
_TAG_HINTS: dict[str, str] = {
    "tag-moved": "a recorded publish is immutable and edgec never pushes over the tag: point the tag back at the "
                 "recorded digest (e.g. `oras cp <repository>@<recorded digest> <repository>:<tag>`), or publish a "
                 "new version that replaces this publish",
    "tag-gone": "edgec compile pushes it again from the specs (the content has the recorded digest)",
}


@dataclass(frozen=True)
class Drift:
    kind: DriftKind
    subject: str  # a file relative to the deployment `path`, or `<repository>:<tag>`
    commit: CommitInfo | None = None  # the commit that changed the file (files only)
    expected: str | None = None  # the recorded sha256 / digest
    actual: str | None = None  # what is there now (None: nothing)
    publish: str | None = None  # the recorded publish of a tag
    where: str | None = None  # the registry or OCI layout of a tag
    location: Location | None = None  # the publish in the specs, when it is still there

    @property
    def is_file(self) -> bool:
        return self.kind in _FILE_HINTS

    def message(self) -> str:
        if self.is_file:
            by = f" in {self.commit.describe()}" if self.commit is not None else ""
            return f"{self.subject} in the deployment repository was {self.kind} outside edgec{by}"
        if self.kind == "tag-moved":
            return (f"tag {self.subject} of publish '{self.publish}' in {self.where} points to {self.actual}, "
                    f"not the recorded {self.expected}")
        return f"tag {self.subject} of publish '{self.publish}' is gone from {self.where} (recorded {self.expected})"

    def diagnostic(self) -> Diagnostic:
        hint = _FILE_HINTS.get(self.kind) or _TAG_HINTS[self.kind]
        return Diagnostic.at(self.location, "drift", self.message(), severity=Severity.WARNING, hint=hint)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.is_file:
            out["file"] = self.subject
            out["commit"] = None if self.commit is None else {
                "sha": self.commit.sha, "author": self.commit.author, "date": self.commit.date,
                "subject": self.commit.subject}
        else:
            out.update({"reference": self.subject, "publish": self.publish, "store": self.where})
        out.update({"expected": self.expected, "actual": self.actual})
        return out


def file_drift(state: DeployState) -> list[Drift]:
    """Owned files changed since edgec's last commit; [] when edgec made none or made the head commit."""
    base = state.last_edgec_commit()
    if base is None or base.sha == state.head:
        return []
    recorded, actual = state.owned_blobs(base.sha), state.owned_blobs()
    found: list[tuple[DriftKind, str]] = []
    for path in sorted(recorded.keys() | actual.keys()):
        old, new = recorded.get(path), actual.get(path)
        if old == new:
            continue
        if old is None:
            if path.startswith(MANAGED_DIR + "/"):
                found.append(("added", path))
        else:
            found.append(("edited" if new is not None else "deleted", path))
    before = state.read_many([path for kind, path in found if kind != "added"], base.sha)
    after = state.read_many([path for kind, path in found if kind != "deleted"])
    return [Drift(kind, path, state.last_change(path), expected=_sha256(before.get(path)),
                  actual=_sha256(after.get(path))) for kind, path in sorted(found)]


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else sha256_digest(data)


def tag_drift(store: ArtifactStore, deployed: Deployed, registry: str, specs: Specs) -> list[Drift]:
    """Tags of recorded publishes that moved or are gone; only when the lock is for the configured registry
    (`registry`, the lock's name of the store: the registry prefix, or edgec's name of the local layout)."""
    if deployed.registry != registry:
        return []
    seen: set[str] = set()
    out: list[Drift] = []
    for name, entry in sorted(deployed.publishes.items()):
        for reference, expected in _recorded_tags(entry, registry):
            if reference in seen:
                continue
            seen.add(reference)
            repository, _, tag = reference.rpartition(":")
            actual = store.resolve(repository, tag)
            if actual == expected:
                continue
            location = specs.locate("Publish", name, ("metadata", "name")) if name in specs.publishes else None
            out.append(Drift("tag-moved" if actual is not None else "tag-gone", reference, expected=expected,
                             actual=actual, publish=name, where=store_label(specs), location=location))
    return out


def _recorded_tags(entry: Mapping[str, Any], registry: str) -> list[tuple[str, str]]:
    """(`<repository>:<tag>` relative to the registry, recorded digest) of a lock entry's two artifacts."""
    out = []
    pipeline = str(entry["pipelineArtifact"])
    if pipeline.startswith(registry + "/"):
        out.append((pipeline[len(registry) + 1:], str(entry["pipelineDigest"])))
    chart = str(entry["chart"])
    if chart.startswith(f"oci://{registry}/"):
        out.append((f"{chart[len(registry) + 7:]}:{entry['chartVersion']}", str(entry["chartDigest"])))
    return out


def restored_lines(drift: list[Drift]) -> list[str]:
    """Commit-message lines for the files a compile puts back."""
    verbs = {"edited": "restored", "deleted": "restored", "added": "removed"}
    return [f"- {verbs[d.kind]} {d.subject} ({d.kind} in {d.commit.sha[:12]} by {d.commit.author})"
            if d.commit is not None else f"- {verbs[d.kind]} {d.subject} ({d.kind})"
            for d in drift if d.is_file and d.subject != LOCK_FILE]


def store_label(specs: Specs) -> str:
    """How messages name the artifact store: `registry <host/prefix>` or the local OCI layout."""
    registry = specs.config.registry
    return f"registry {registry}" if registry else "the OCI layout .edgec/oci"
