"""`LayoutStore`: the artifact store over a local OCI image layout (used when no registry is configured).

Layout: `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Each pushed manifest is listed in the index with
`org.opencontainers.image.ref.name` = `<repository>:<tag>`; the index is sorted by that name and written as
canonical JSON, so the same pushes give a byte-identical layout. Every file is written to a temporary file and
renamed into place, and pushes take an exclusive lock, so a crash or a concurrent push never leaves a torn
index. A ref never moves to different content (`immutable-changed`), exactly like a registry tag.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler.adapters.files import atomic_write
from compiler.adapters.oci.store import (
    Progress,
    ProgressEvent,
    PushResult,
    check_blobs,
    immutable_changed,
    parse_manifest,
)
from compiler.assemble.oci_objects import (
    INDEX_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    Artifact,
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

    def __repr__(self) -> str:
        return f"LayoutStore({str(self.path)!r})"

    def push(self, artifact: Artifact) -> PushResult:
        ref = artifact.reference
        blobs = artifact.blobs()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with self._locked():
                index = self._read_index()
                existing = _find(index, ref)
                if existing == artifact.digest:
                    self._emit("unchanged", ref, artifact.digest, 0, len(blobs), 0)
                    return PushResult(ref, artifact.digest, uploaded=0, skipped=len(blobs))
                if existing is not None:
                    raise immutable_changed(f"OCI layout {self.path}", artifact, existing)
                uploaded = uploaded_bytes = 0
                for number, blob in enumerate(blobs, 1):
                    if self._write_blob(blob.digest, blob.data):
                        uploaded += 1
                        uploaded_bytes += blob.size
                        self._emit("blob-uploaded", ref, blob.digest, number, len(blobs), blob.size)
                    else:
                        self._emit("blob-present", ref, blob.digest, number, len(blobs), blob.size)
                manifest = artifact.manifest_bytes()
                self._write_blob(artifact.digest, manifest)
                if not (self.path / "oci-layout").is_file():
                    atomic_write(self.path / "oci-layout", canonical_json(LAYOUT_VERSION))
                atomic_write(self.path / "index.json", canonical_json(_with_entry(index, artifact, ref)))
                self._emit("manifest", ref, artifact.digest, 0, len(blobs), len(manifest))
                return PushResult(ref, artifact.digest, uploaded, len(blobs) - uploaded, uploaded_bytes)
        except OSError as exc:
            raise fail("io-error", f"OCI layout {self.path}: cannot write {ref}: {exc.strerror or exc}") from None

    def resolve(self, repository: str, tag: str) -> str | None:
        check_repository(repository)
        check_tag(tag)
        try:
            return _find(self._read_index(), f"{repository}:{tag}")
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

    # ------------------------------------------------------------------------------------------ internals
    def _blob_path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        return self.path / "blobs" / algorithm / hexdigest

    def _write_blob(self, digest: str, data: bytes) -> bool:
        """False when the blob is already there (content addressed: same name, same bytes)."""
        path = self._blob_path(digest)
        if path.is_file() and path.stat().st_size == len(data):
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
        return True

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

    def _emit(self, kind: str, ref: str, digest: str, index: int, total: int, size: int) -> None:
        if self._progress is not None:
            self._progress(ProgressEvent(kind, ref, digest, size, index, total))  # type: ignore[arg-type]


def _find(index: dict[str, Any], ref: str) -> str | None:
    for entry in index.get("manifests", []):
        if isinstance(entry, dict) and (entry.get("annotations") or {}).get(REF_NAME) == ref:
            digest = entry.get("digest")
            return digest if isinstance(digest, str) else None
    return None


def _with_entry(index: dict[str, Any], artifact: Artifact, ref: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "mediaType": MANIFEST_MEDIA_TYPE,
        "digest": artifact.digest,
        "size": len(artifact.manifest_bytes()),
        "annotations": {REF_NAME: ref},
    }
    if artifact.artifact_type:
        entry["artifactType"] = artifact.artifact_type
    manifests = [*index.get("manifests", []), entry]
    manifests.sort(key=lambda e: ((e.get("annotations") or {}).get(REF_NAME, ""), e.get("digest", "")))
    return {**index, "schemaVersion": 2, "mediaType": INDEX_MEDIA_TYPE, "manifests": manifests}

