"""OCI value types: blobs, descriptors and image manifests, built in memory.

Everything here is pure and deterministic: the manifest is canonical JSON (sorted keys, no insignificant
whitespace) and carries no timestamp, so identical content always gives identical digests. That is what lets
`render` compute the digests a push will produce without talking to a registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"

# The distribution spec's grammar for repository names and tags.
_REPOSITORY_RE = re.compile(r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")
_TAG_RE = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")
_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")


def canonical_json(value: Any) -> bytes:
    """The one JSON encoding used for everything that gets digested."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def is_digest(reference: str) -> bool:
    return bool(_DIGEST_RE.match(reference))


def check_repository(repository: str) -> None:
    if not _REPOSITORY_RE.match(repository) or len(repository) > 255:
        raise ValueError(f"invalid OCI repository name {repository!r}")


def check_tag(tag: str) -> None:
    if not _TAG_RE.match(tag):
        raise ValueError(f"invalid OCI tag {tag!r}")


def _frozen_annotations(annotations: Mapping[str, str]) -> Mapping[str, str]:
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"OCI annotations map strings to strings, got {key!r}: {value!r}")
    return MappingProxyType(dict(sorted(annotations.items())))


@dataclass(frozen=True, eq=True)
class Blob:
    """Content plus its media type; the digest is computed from the bytes, never supplied."""

    media_type: str
    data: bytes = field(repr=False)
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "annotations", _frozen_annotations(self.annotations))

    @cached_property
    def digest(self) -> str:
        return sha256_digest(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


@dataclass(frozen=True, eq=True)
class Artifact:
    """One OCI 1.1 image manifest with its config and layers, addressed as `<repository>:<tag>`."""

    repository: str  # below the registry prefix, e.g. "pipelines/my-pipe"
    tag: str
    artifact_type: str | None
    config: Blob
    layers: tuple[Blob, ...]
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        check_repository(self.repository)
        check_tag(self.tag)
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "annotations", _frozen_annotations(self.annotations))

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}"

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "config": self.config.descriptor(),
            "layers": [layer.descriptor() for layer in self.layers],
        }
        if self.artifact_type:
            out["artifactType"] = self.artifact_type
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out

    @cached_property
    def _manifest_bytes(self) -> bytes:
        return canonical_json(self.manifest())

    def manifest_bytes(self) -> bytes:
        return self._manifest_bytes

    @property
    def digest(self) -> str:
        return sha256_digest(self._manifest_bytes)

    def blobs(self) -> tuple[Blob, ...]:
        """Config then layers, each digest once (two models may share content)."""
        seen: dict[str, Blob] = {}
        for blob in (self.config, *self.layers):
            seen.setdefault(blob.digest, blob)
        return tuple(seen.values())


def manifest_blob_digests(manifest: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(digest, size) of the config and every layer of a parsed image manifest, in order, deduplicated."""
    out: dict[str, int] = {}
    descriptors = [manifest.get("config"), *manifest.get("layers", [])]
    for descriptor in descriptors:
        if not isinstance(descriptor, Mapping):
            raise ValueError("manifest descriptor is not an object")
        digest, size = descriptor.get("digest"), descriptor.get("size")
        if not isinstance(digest, str) or not is_digest(digest) or not isinstance(size, int):
            raise ValueError(f"manifest descriptor has an invalid digest or size: {digest!r}")
        out.setdefault(digest, size)
    return list(out.items())
