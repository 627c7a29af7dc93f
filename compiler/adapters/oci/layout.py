"""`LayoutStore`: the artifact store over a local OCI image layout (used when no registry is configured).

Layout: `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Each pushed manifest is listed in the index with
`org.opencontainers.image.ref.name` = `<repository>:<tag>`; the index is sorted by that name and written as
canonical JSON, so the same pushes give a byte-identical layout. Every file is written to a temporary file and
renamed into place, and pushes take an exclusive lock, so a crash or a concurrent push never leaves a torn
index. A ref never moves to different content (`immutable-changed`), exactly like a registry tag. `push_all`
reads and writes the index once for a whole compile; blobs are streamed to disk in chunks.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from compiler.adapters.files import atomic_write, atomic_write_chunks
from compiler.adapters.oci.store import (
    Progress,
    ProgressEvent,
    PushResult,
    check_blobs,
    immutable_changed,
    parse_manifest,
    tag_moved,
)
from compiler.assemble.oci_objects import (
    INDEX_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    Artifact,
    Blob,
    ContentChanged,
    canonical_json,
    check_repository,
    check_tag,
    is_digest,
)
from compiler.diagnostics import fail

REF_NAME = "org.opencontainers.image.ref.name"
LAYOUT_VERSION = {"imageLayoutVersion": "1.0.0"}


class LayoutStore:
    def __init__(self, path: Path, *, progress: Progress | None = None) -> None:
        self.path = Path(path)
        self._progress = progress
        # (index.json's inode, mtime, size) -> its refs: `resolve` per tag re-read and re-parsed the whole index
        # (2,000 tags at 10,000 edges: quadratic); it is replaced by rename, so a new index has a new stat.
        self._refs_cache: tuple[tuple[int, int, int] | None, dict[str, str]] | None = None

    def __repr__(self) -> str:
        return f"LayoutStore({str(self.path)!r})"

    def push(self, artifact: Artifact) -> PushResult:
        return self.push_all([artifact])[0]

    def push_all(self, artifacts: Sequence[Artifact]) -> list[PushResult]:
        """Push in order under one lock, reading the index once and writing it once (if anything was added)."""
        ref = ""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with self._locked():
                index = self._read_index()
                entries = {ref_name: digest for ref_name, digest in _refs(index)}
                added: list[Artifact] = []
                results: list[PushResult] = []
                for artifact in artifacts:
                    ref = artifact.reference
                    results.append(self._push_one(artifact, entries, added))
                if added:
                    if not (self.path / "oci-layout").is_file():
                        atomic_write(self.path / "oci-layout", canonical_json(LAYOUT_VERSION))
                    atomic_write(self.path / "index.json", canonical_json(_with_entries(index, added)))
                return results
        except ContentChanged as exc:
            raise fail("io-error", f"OCI layout {self.path}: {ref}: {exc}",
                       hint="a model file changed while edgec read it; compile again") from None
        except OSError as exc:
            raise fail("io-error", f"OCI layout {self.path}: cannot write {ref}: {exc.strerror or exc}") from None

    def _push_one(self, artifact: Artifact, entries: dict[str, str], added: list[Artifact]) -> PushResult:
        ref = artifact.reference
        blobs = artifact.blobs()
        existing = entries.get(ref)
        if existing == artifact.digest:
            self._emit("unchanged", ref, artifact.digest, 0, len(blobs), 0)
            return PushResult(ref, artifact.digest, uploaded=0, skipped=len(blobs))
        if existing is not None:
            raise immutable_changed(f"OCI layout {self.path}", artifact, existing)
        uploaded = uploaded_bytes = 0
        for number, blob in enumerate(blobs, 1):
            if self._write_blob(blob, ref, number, len(blobs)):
                uploaded += 1
                uploaded_bytes += blob.size
                self._emit("blob-uploaded", ref, blob.digest, number, len(blobs), blob.size)
            else:
                self._emit("blob-present", ref, blob.digest, number, len(blobs), blob.size)
        manifest = artifact.manifest_bytes()
        self._write_bytes(artifact.digest, manifest)
        entries[ref] = artifact.digest
        added.append(artifact)
        self._emit("manifest", ref, artifact.digest, 0, len(blobs), len(manifest))
        return PushResult(ref, artifact.digest, uploaded, len(blobs) - uploaded, uploaded_bytes)

    def resolve(self, repository: str, tag: str) -> str | None:
        check_repository(repository)
        check_tag(tag)
        try:
            return self._ref_map().get(f"{repository}:{tag}")
        except OSError as exc:
            raise fail("io-error", f"OCI layout {self.path}: {exc.strerror or exc}") from None

    def fetch(self, repository: str, reference: str) -> tuple[bytes, dict[str, bytes]]:
        where = f"OCI layout {self.path}, {repository}" + ("@" if is_digest(reference) else ":") + reference
        digest = reference if is_digest(reference) else self.resolve(repository, reference)
        if digest is None:
            raise fail("io-error", f"{where}: no such tag")
        try:
            manifest = self._blob_path(digest).read_bytes()
            check_blobs({digest: manifest}, [(digest, len(manifest))], where=where, code="io-error")
            _, expected = parse_manifest(manifest, where=where, code="io-error")
            blobs = {d: self._blob_path(d).read_bytes() for d, _ in expected}
        except OSError as exc:
            raise fail("io-error", f"{where}: {exc.strerror or exc}",
                       hint="the layout is incomplete; delete it and publish again") from None
        check_blobs(blobs, expected, where=where, code="io-error")
        return manifest, blobs

    def ensure_tag(self, repository: str, tag: str, digest: str) -> PushResult | None:
        check_repository(repository)
        check_tag(tag)
        ref = f"{repository}:{tag}"
        where = f"OCI layout {self.path}"
        try:
            if not (self.path / "index.json").is_file():
                return None
            if self._ref_map().get(ref) == digest:  # the common case, without a lock or a parse per tag
                self._emit("unchanged", ref, digest, 0, 0, 0)
                return PushResult(ref, digest, uploaded=0, skipped=0)
            with self._locked():
                index = self._read_index()
                existing = _find(index, ref)
                if existing == digest:
                    self._emit("unchanged", ref, digest, 0, 0, 0)
                    return PushResult(ref, digest, uploaded=0, skipped=0)
                if existing is not None:
                    raise tag_moved(where, repository, tag, existing, digest)
                path = self._blob_path(digest)
                if not path.is_file():
                    return None
                manifest = path.read_bytes()
                check_blobs({digest: manifest}, [(digest, len(manifest))], where=f"{where}, {ref}", code="io-error")
                document, _ = parse_manifest(manifest, where=f"{where}, {ref}", code="io-error")
                entry: dict[str, Any] = {"mediaType": MANIFEST_MEDIA_TYPE, "digest": digest, "size": len(manifest),
                                         "annotations": {REF_NAME: ref}}
                if isinstance(document.get("artifactType"), str):
                    entry["artifactType"] = document["artifactType"]
                atomic_write(self.path / "index.json", canonical_json(_with_index_entries(index, [entry])))
                self._emit("manifest", ref, digest, 0, 0, len(manifest))
                return PushResult(ref, digest, uploaded=0, skipped=0)
        except OSError as exc:
            raise fail("io-error", f"{where}: cannot tag {ref}: {exc.strerror or exc}") from None

    # ------------------------------------------------------------------------------------------ internals
    def _blob_path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        return self.path / "blobs" / algorithm / hexdigest

    def _write_blob(self, blob: Blob, ref: str, number: int, total: int) -> bool:
        """False when the blob is already there (content addressed: same name, same bytes)."""
        path = self._blob_path(blob.digest)
        if path.is_file() and path.stat().st_size == blob.size:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        done = 0

        def counted() -> Iterator[bytes]:
            nonlocal done
            for chunk in blob.chunks():
                yield chunk
                done += len(chunk)
                self._emit("blob-progress", ref, blob.digest, number, total, blob.size, done)

        atomic_write_chunks(path, counted())
        return True

    def _write_bytes(self, digest: str, data: bytes) -> None:
        path = self._blob_path(digest)
        if not (path.is_file() and path.stat().st_size == len(data)):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)

    def _ref_map(self) -> dict[str, str]:
        """`<repository>:<tag>` -> digest of the index as it is on disk now (the first entry of a ref wins)."""
        try:
            status = (self.path / "index.json").stat()
            key: tuple[int, int, int] | None = (status.st_ino, status.st_mtime_ns, status.st_size)
        except FileNotFoundError:
            key = None
        if self._refs_cache is None or self._refs_cache[0] != key:
            refs: dict[str, str] = {}
            for name, digest in _refs(self._read_index()):
                refs.setdefault(name, digest)
            self._refs_cache = (key, refs)
        return self._refs_cache[1]

    def _read_index(self) -> dict[str, Any]:
        path = self.path / "index.json"
        if not path.is_file():
            return {"schemaVersion": 2, "mediaType": INDEX_MEDIA_TYPE, "manifests": []}
        try:
            index = json.loads(path.read_bytes())
            if not isinstance(index, dict) or not isinstance(index.get("manifests", []), list):
                raise ValueError("not an image index")
        except ValueError as exc:
            raise fail("io-error", f"OCI layout {self.path}: index.json is invalid: {exc}") from None
        return index

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # not POSIX: atomic renames still keep every file whole
            yield
            return
        with open(self.path / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _emit(self, kind: str, ref: str, digest: str, index: int, total: int, size: int, done: int = 0) -> None:
        if self._progress is not None:
            self._progress(ProgressEvent(kind, ref, digest, size, index, total, done))  # type: ignore[arg-type]


def _refs(index: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for entry in index.get("manifests", []):
        if isinstance(entry, dict):
            ref, digest = (entry.get("annotations") or {}).get(REF_NAME), entry.get("digest")
            if isinstance(ref, str) and isinstance(digest, str):
                yield ref, digest


def _find(index: dict[str, Any], ref: str) -> str | None:
    return next((digest for name, digest in _refs(index) if name == ref), None)


def _with_entries(index: dict[str, Any], artifacts: Sequence[Artifact]) -> dict[str, Any]:
    entries = []
    for artifact in artifacts:
        entry: dict[str, Any] = {
            "mediaType": MANIFEST_MEDIA_TYPE,
            "digest": artifact.digest,
            "size": len(artifact.manifest_bytes()),
            "annotations": {REF_NAME: artifact.reference},
        }
        if artifact.artifact_type:
            entry["artifactType"] = artifact.artifact_type
        entries.append(entry)
    return _with_index_entries(index, entries)


def _with_index_entries(index: dict[str, Any], entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    manifests = [*index.get("manifests", []), *entries]
    manifests.sort(key=lambda e: ((e.get("annotations") or {}).get(REF_NAME, ""), e.get("digest", "")))
    return {**index, "schemaVersion": 2, "mediaType": INDEX_MEDIA_TYPE, "manifests": manifests}

