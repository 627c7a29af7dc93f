"""`RegistryStore`: the artifact store over an OCI registry (distribution API v2).

Idempotent and immutable: the tag is resolved first (same digest: nothing to do; another digest: the
version was already published with other content, `immutable-changed`), each blob is HEAD-checked before
upload, and the manifest is uploaded as the exact canonical bytes that were digested. Connection failures,
5xx and 429 are retried with bounded exponential backoff (sleep injectable); 401/403 is `registry-auth`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from compiler.adapters.oci.credentials import USERNAME_VAR, Credentials, credentials_from_environment
from compiler.adapters.oci.store import (
    Progress,
    ProgressEvent,
    PushResult,
    check_blobs,
    immutable_changed,
    parse_manifest,
)
from compiler.adapters.oci.transport import HttpResponse, Transport, TransportError
from compiler.assemble.oci_objects import (
    INDEX_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    Artifact,
    Blob,
    check_repository,
    is_digest,
    sha256_digest,
)
from compiler.diagnostics import EdgecError, fail

__all__ = ["RegistryStore", "RetryPolicy", "credentials_from_environment"]

_ACCEPT = ", ".join([
    MANIFEST_MEDIA_TYPE,
    INDEX_MEDIA_TYPE,
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Default: 4 tries, waiting 0.5 + 1 + 2 s between them (3.5 s of sleep at most)."""

    attempts: int = 4
    initial_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 4.0

    def delays(self) -> list[float]:
        return [min(self.initial_delay * self.factor**i, self.max_delay) for i in range(self.attempts - 1)]


class _Retryable(Exception):
    """An answer worth another try (5xx, 429)."""


class RegistryStore:
    """`registry` is `host[:port][/prefix]`, e.g. `localhost:5000/edge`; repositories live below the prefix."""

    def __init__(
        self,
        registry: str,
        *,
        insecure: bool = False,
        credentials: Credentials | None = None,
        progress: Progress | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        self.host, _, prefix = registry.strip("/").partition("/")
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_repository(self.prefix)
        self._insecure = insecure
        self._credentials = credentials
        self._progress = progress
        self._retry = retry
        self._sleep = sleep
        self._transport = transport

    def __repr__(self) -> str:
        return f"RegistryStore({self.host!r}, prefix={self.prefix!r}, insecure={self._insecure})"

    # ------------------------------------------------------------------------------------------ public API
    def push(self, artifact: Artifact) -> PushResult:
        name = self._name(artifact.repository)
        reference = f"{self.host}/{name}:{artifact.tag}"
        blobs = artifact.blobs()
        existing = self.resolve(artifact.repository, artifact.tag)
        if existing == artifact.digest:
            self._emit("unchanged", reference, artifact.digest, len(artifact.manifest_bytes()), 0, len(blobs))
            return PushResult(reference, artifact.digest, uploaded=0, skipped=len(blobs))
        if existing is not None:
            raise immutable_changed(f"registry {self.host}", artifact, existing)

        uploaded = uploaded_bytes = 0
        for index, blob in enumerate(blobs, 1):
            if self._retrying(name, "check blob", partial(self._blob_exists, name, blob)):
                self._emit("blob-present", reference, blob.digest, blob.size, index, len(blobs))
                continue
            self._retrying(name, "upload blob", partial(self._upload_blob, name, blob))
            uploaded += 1
            uploaded_bytes += blob.size
            self._emit("blob-uploaded", reference, blob.digest, blob.size, index, len(blobs))
        self._retrying(name, "upload manifest", lambda: self._put_manifest(name, artifact))
        self._emit("manifest", reference, artifact.digest, len(artifact.manifest_bytes()), 0, len(blobs))
        return PushResult(reference, artifact.digest, uploaded, len(blobs) - uploaded, uploaded_bytes)

    def resolve(self, repository: str, tag: str) -> str | None:
        name = self._name(repository)
        return self._retrying(name, "resolve tag", lambda: self._resolve(name, tag))

    def fetch(self, repository: str, reference: str) -> tuple[bytes, dict[str, bytes]]:
        name = self._name(repository)
        where = f"registry {self.host}, {name}@{reference}" if is_digest(reference) else \
            f"registry {self.host}, {name}:{reference}"
        manifest_bytes = self._retrying(name, "fetch manifest", lambda: self._get_manifest(name, reference))
        digest = sha256_digest(manifest_bytes)
        if is_digest(reference) and digest != reference:
            raise fail("registry-error", f"{where}: manifest content has digest {digest}",
                       hint="the registry returned content that does not match the requested digest")
        _, expected = parse_manifest(manifest_bytes, where=where, code="registry-error")
        blobs: dict[str, bytes] = {}
        for blob_digest, _size in expected:
            blobs[blob_digest] = self._retrying(name, "fetch blob", partial(self._get_blob, name, blob_digest))
        check_blobs(blobs, expected, where=where, code="registry-error")
        return manifest_bytes, blobs

    # ------------------------------------------------------------------------------------------ operations
    def _resolve(self, name: str, tag: str) -> str | None:
        url = f"/v2/{name}/manifests/{tag}"
        response = self._send("HEAD", url, name, ok=(200, 404), headers={"Accept": _ACCEPT})
        if response.status == 404:
            return None
        digest = response.headers.get("docker-content-digest")
        if digest and is_digest(digest):
            return digest
        response = self._send("GET", url, name, ok=(200,), headers={"Accept": _ACCEPT})
        return sha256_digest(response.content)

    def _blob_exists(self, name: str, blob: Blob) -> bool:
        response = self._send("HEAD", f"/v2/{name}/blobs/{blob.digest}", name, ok=(200, 404))
        return response.status == 200

    def _upload_blob(self, name: str, blob: Blob) -> None:
        """Monolithic upload: POST opens a session, PUT sends the bytes and closes it with the digest."""
        started = self._send("POST", f"/v2/{name}/blobs/uploads/", name, ok=(202,),
                             headers={"Content-Length": "0"})
        location = started.headers.get("location")
        if not location:
            raise fail("registry-error", f"registry {self.host}, {name}: upload session has no Location")
        self._send("PUT", _with_query(location, digest=blob.digest), name, ok=(201,), data=blob.data,
                   headers={"Content-Type": "application/octet-stream", "Content-Length": str(blob.size)})

    def _put_manifest(self, name: str, artifact: Artifact) -> None:
        data = artifact.manifest_bytes()
        response = self._send("PUT", f"/v2/{name}/manifests/{artifact.tag}", name, ok=(201,), data=data,
                              headers={"Content-Type": MANIFEST_MEDIA_TYPE})
        stored = response.headers.get("docker-content-digest")
        if stored and stored != artifact.digest:
            raise fail("registry-error",
                       f"registry {self.host}, {name}:{artifact.tag}: stored digest {stored}, "
                       f"expected {artifact.digest}", hint="the registry rewrote the manifest")

    def _get_manifest(self, name: str, reference: str) -> bytes:
        response = self._send("GET", f"/v2/{name}/manifests/{reference}", name, ok=(200,),
                              headers={"Accept": _ACCEPT})
        return response.content

    def _get_blob(self, name: str, digest: str) -> bytes:
        return self._send("GET", f"/v2/{name}/blobs/{digest}", name, ok=(200,)).content

    # ------------------------------------------------------------------------------------------ plumbing
    def _name(self, repository: str) -> str:
        check_repository(repository)
        return f"{self.prefix}/{repository}" if self.prefix else repository

    def _transport_(self) -> Transport:
        if self._transport is None:
            from compiler.adapters.oci.transport import OrasTransport

            self._transport = OrasTransport(self.host, insecure=self._insecure, credentials=self._credentials)
        return self._transport

    def _send(self, method: str, url: str, name: str, *, ok: tuple[int, ...],
              headers: dict[str, str] | None = None, data: bytes | None = None) -> HttpResponse:
        response = self._transport_().request(method, url, headers=headers, data=data)
        if response.status in ok:
            return response
        if response.status >= 500 or response.status == 429:
            raise _Retryable(f"HTTP {response.status}{_error_detail(response)}")
        if response.status in (401, 403):
            raise self._auth_error(name, response)
        raise fail("registry-error",
                   f"registry {self.host}, repository {name}: {method} answered HTTP {response.status}"
                   f"{_error_detail(response)}")

    def _auth_error(self, name: str, response: HttpResponse) -> EdgecError:
        who = f"the credentials ({self._credentials})" if self._credentials else "anonymous access"
        return fail(
            "registry-auth",
            f"registry {self.host} refused {who} for repository {name} "
            f"(HTTP {response.status}{_error_detail(response)})",
            hint=f"set {USERNAME_VAR} and EDGEC_REGISTRY_PASSWORD, or log in with `docker login {self.host}`",
        )

    def _retrying(self, name: str, what: str, operation: Callable[[], T]) -> T:
        last = ""
        delays = self._retry.delays()
        for attempt in range(self._retry.attempts):
            try:
                return operation()
            except TransportError as exc:
                if not exc.retryable:
                    raise fail("registry-unreachable",
                               f"registry {self.host}, repository {name}: {what}: {exc}",
                               hint=exc.hint) from None
                last = str(exc)
            except _Retryable as exc:
                last = str(exc)
            if attempt < len(delays):
                self._sleep(delays[attempt])
        raise fail(
            "registry-unreachable",
            f"registry {self.host} is unreachable ({what} in repository {name}): "
            f"{last}; gave up after {self._retry.attempts} attempts",
            hint=f"check that the registry at {self.host} is running"
            + ("" if self._insecure else " and serves HTTPS (`insecureRegistry: true` for plain HTTP)"),
        )

    def _emit(self, kind: str, reference: str, digest: str, size: int, index: int, total: int) -> None:
        if self._progress is not None:
            self._progress(ProgressEvent(kind, reference, digest, size, index, total))  # type: ignore[arg-type]


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_detail(response: HttpResponse) -> str:
    """`: CODE message` from an OCI error body (registries never echo credentials there)."""
    try:
        errors = json.loads(response.content or b"{}").get("errors") or []
        first = errors[0]
        return f": {first.get('code', '')} {first.get('message', '')}".rstrip()
    except (ValueError, AttributeError, IndexError, TypeError):
        return ""
