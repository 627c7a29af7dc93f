"""The artifact store the compile pipeline pushes to: a registry or a local OCI layout, behind one Protocol."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from compiler.assemble.oci_objects import MANIFEST_MEDIA_TYPE, Artifact, manifest_blob_digests, sha256_digest
from compiler.diagnostics import EdgecError, fail


@dataclass(frozen=True)
class PushResult:
    reference: str  # where it went, e.g. "localhost:5000/edge/pipelines/p:v1" or "pipelines/p:v1"
    digest: str  # the manifest digest
    uploaded: int  # blobs written
    skipped: int  # blobs already present
    uploaded_bytes: int = 0

    @property
    def pinned(self) -> str:
        """`<name>@<digest>`: the tag replaced by the digest, as rendered values reference it."""
        head, _, last = self.reference.rpartition("/")
        name = last.partition(":")[0]
        return f"{head}/{name}@{self.digest}" if head else f"{name}@{self.digest}"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a push, for progress display. `kind`: a blob was uploaded or found present, `done` bytes of
    it have been sent (`blob-progress`), or the manifest was written (`manifest`) or was already tagged
    (`unchanged`)."""

    kind: Literal["blob-progress", "blob-uploaded", "blob-present", "manifest", "unchanged"]
    reference: str
    digest: str
    size: int
    index: int  # 1-based position among the artifact's blobs (0 for manifest events)
    total: int
    done: int = 0  # bytes sent so far (blob-progress)


Progress = Callable[[ProgressEvent], None]


class ArtifactStore(Protocol):
    """Where artifacts are published. Pushing is idempotent; a tag never moves to different content."""

    def push(self, artifact: Artifact) -> PushResult: ...

    def push_all(self, artifacts: Sequence[Artifact]) -> list[PushResult]:
        """Push each in order (a compile's artifacts: the layout writes its index once for all of them)."""
        ...

    def resolve(self, repository: str, tag: str) -> str | None:
        """The manifest digest the tag points to, or None when the tag does not exist."""
        ...

    def fetch(self, repository: str, reference: str) -> tuple[bytes, dict[str, bytes]]:
        """The manifest bytes and every blob it references (config and layers) by digest, all verified."""
        ...

    def ensure_tag(self, repository: str, tag: str, digest: str) -> PushResult | None:
        """Make `tag` point to the manifest `digest` the store already holds (a recorded artifact, reused and
        never rebuilt): nothing when it does, the tag written again when only the tag is gone; None when the
        store does not hold the manifest. A tag that points elsewhere is `immutable-changed`."""
        ...


def immutable_changed(where: str, artifact: Artifact, existing: str) -> EdgecError:
    return fail(
        "immutable-changed",
        f"{where}: tag {artifact.tag!r} of {artifact.repository} already points to {existing}, "
        f"but the content to publish has digest {artifact.digest}",
        hint="a published version is immutable: publish the change as a new pipeline version",
    )


def tag_moved(where: str, repository: str, tag: str, existing: str, recorded: str) -> EdgecError:
    return fail(
        "immutable-changed",
        f"{where}: tag {tag!r} of {repository} points to {existing}, not the recorded {recorded}; "
        "edgec never pushes over it",
        hint=f"point the tag back (`oras cp <repository>@{recorded} <repository>:{tag}`), or publish a new "
             "version that replaces the publish",
    )


def parse_manifest(data: bytes, *, where: str, code: str) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Parse an image manifest and list the blobs it references; `code` names the failure's diagnostic."""
    try:
        manifest = json.loads(data)
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        media_type = manifest.get("mediaType", MANIFEST_MEDIA_TYPE)
        if media_type != MANIFEST_MEDIA_TYPE:
            raise ValueError(f"unsupported manifest media type {media_type!r}")
        return manifest, manifest_blob_digests(manifest)
    except ValueError as exc:
        raise fail(code, f"{where}: invalid manifest: {exc}") from None


def verify_blob(data: bytes, digest: str, size: int | None, *, where: str, code: str) -> None:
    actual = sha256_digest(data)
    if actual != digest or (size is not None and size != len(data)):
        raise fail(
            code,
            f"{where}: blob {digest} failed verification (got {actual}, {len(data)} bytes)",
            hint="the stored content is corrupt or was tampered with",
        )


def check_blobs(blobs: Mapping[str, bytes], expected: list[tuple[str, int]], *, where: str, code: str) -> None:
    for digest, size in expected:
        verify_blob(blobs[digest], digest, size, where=where, code=code)
