"""OCI value types: blobs, descriptors and image manifests.

A blob knows its digest and size from one streaming pass over its content (bytes, a file, or a deterministic
producer such as a tar+gzip writer) and reads its bytes back in chunks, so memory does not grow with model size.
Everything here is deterministic: the manifest is canonical JSON (sorted keys, no insignificant
whitespace) and carries no timestamp, so identical content always gives identical digests. That is what lets
`render` compute the digests a push will produce without talking to a registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"

# The distribution spec's grammar for repository names and tags.
_REPOSITORY_RE = re.compile(r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")
_TAG_RE = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")
_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")
READ_CHUNK = 1 << 20  # bytes read from a blob's source at a time


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


class BlobContent(Protocol):
    """Where a blob's bytes come from; `chunks` may be called many times and must give the same bytes."""

    def chunks(self, offset: int = 0) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class _Bytes:
    data: bytes = field(repr=False)

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        view = memoryview(self.data)
        for start in range(offset, len(view), READ_CHUNK):
            yield bytes(view[start:start + READ_CHUNK])


@dataclass(frozen=True)
class _File:
    path: Path

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            while chunk := handle.read(READ_CHUNK):
                yield chunk


@dataclass(frozen=True)
class _Stream:
    """A deterministic producer (a tar+gzip writer): run again to read the bytes, skipping `offset`."""

    produce: Callable[[], Iterator[bytes]]

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        skip = offset
        for chunk in self.produce():
            if skip >= len(chunk):
                skip -= len(chunk)
                continue
            yield chunk[skip:] if skip else chunk
            skip = 0


class ContentChanged(Exception):
    """A blob's source no longer gives the bytes its digest was computed from (a model file edited mid-compile)."""


@dataclass(frozen=True, eq=True)
class Blob:
    """Content plus its media type. The digest and size come from one streaming pass over the content, never
    supplied; the bytes are read back in chunks (`chunks`), so a blob of a model file or folder holds no copy
    of it in memory. `Blob(media_type, data)` is an in-memory blob; `Blob.of_file` and `Blob.of_stream` stream.
    """

    media_type: str
    data_: InitVar[bytes | None] = None
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)
    digest: str = field(default="", compare=True)
    size: int = field(default=-1, compare=True)
    content: BlobContent = field(default=_Bytes(b""), repr=False, compare=False, hash=False)

    def __post_init__(self, data_: bytes | None) -> None:
        object.__setattr__(self, "annotations", _frozen_annotations(self.annotations))
        if data_ is not None:
            object.__setattr__(self, "content", _Bytes(bytes(data_)))
            object.__setattr__(self, "digest", sha256_digest(data_))
            object.__setattr__(self, "size", len(data_))
        elif not is_digest(self.digest) or self.size < 0:
            raise ValueError("a blob needs its bytes, or a digest and size from a pass over its content")

    @classmethod
    def of_file(cls, media_type: str, path: Path, annotations: Mapping[str, str] | None = None) -> Blob:
        """One hashing pass over the file; its bytes are read again (in chunks) only when uploaded."""
        content = _File(Path(path))
        digest, size = _measure(content.chunks())
        return cls(media_type, None, annotations or {}, digest, size, content)

    @classmethod
    def of_stream(cls, media_type: str, produce: Callable[[], Iterator[bytes]],
                  annotate: Callable[[], Mapping[str, str]] | None = None) -> Blob:
        """`produce` yields the same bytes on every call; they are hashed once here and regenerated to upload.
        `annotate` is called after that pass (annotations may depend on it, such as an uncompressed digest)."""
        content = _Stream(produce)
        digest, size = _measure(content.chunks())
        return cls(media_type, None, annotate() if annotate else {}, digest, size, content)

    def chunks(self, offset: int = 0) -> Iterator[bytes]:
        """The bytes from `offset` on, in chunks of at most 1 MiB. Read from the start, they are verified against
        the digest as they stream: a source that changed raises `ContentChanged` after its last chunk."""
        hasher = hashlib.sha256() if offset == 0 else None
        total = offset
        for chunk in self.content.chunks(offset):
            if hasher is not None:
                hasher.update(chunk)
            total += len(chunk)
            if total > self.size:
                raise ContentChanged(f"blob {self.digest} changed since it was hashed (now over {self.size} bytes)")
            yield chunk
        if total != self.size or (hasher is not None and "sha256:" + hasher.hexdigest() != self.digest):
            raise ContentChanged(f"blob {self.digest} changed since it was hashed")

    @property
    def data(self) -> bytes:
        """The whole content in memory: for small blobs (configs, charts) and tests, never for model layers."""
        return b"".join(self.chunks())

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


def _measure(chunks: Iterable[bytes]) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    for chunk in chunks:
        hasher.update(chunk)
        size += len(chunk)
    return "sha256:" + hasher.hexdigest(), size


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
