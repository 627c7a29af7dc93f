"""`RegistryStore`: the artifact store over an OCI registry (distribution API v2).

Idempotent and immutable: the tag is resolved first (same digest: nothing to do; another digest: the
version was already published with other content, `immutable-changed`), each blob is HEAD-checked before
upload, and the manifest is uploaded as the exact canonical bytes that were digested. Connection failures
and 5xx are retried with bounded exponential backoff, 429 after the `Retry-After` it asks for (bounded; sleep
injectable); a timeout fails at once naming host and operation; 401/403 is `registry-auth`. Every text that
comes from the registry is redacted before it reaches a message.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from compiler.adapters.oci.auth import is_loopback
from compiler.adapters.oci.credentials import USERNAME_VAR, Credentials, credentials_from_environment
from compiler.adapters.oci.redact import Redactor
from compiler.adapters.oci.store import (
    Progress,
    ProgressEvent,
    PushResult,
    check_blobs,
    immutable_changed,
    parse_manifest,
    tag_moved,
    verify_blob,
)
from compiler.adapters.oci.transport import (
    DEFAULT_TIMEOUTS,
    AuthError,
    HttpResponse,
    HttpTransport,
    Timeouts,
    Transport,
    TransportError,
)
from compiler.assemble.oci_objects import (
    INDEX_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
    Artifact,
    Blob,
    ContentChanged,
    check_repository,
    is_digest,
    sha256_digest,
)
from compiler.diagnostics import EdgecError, fail

__all__ = ["RegistryStore", "RetryPolicy", "Timeouts", "credentials_from_environment", "open_registry_store"]

_ACCEPT = ", ".join([
    MANIFEST_MEDIA_TYPE,
    INDEX_MEDIA_TYPE,
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])
T = TypeVar("T")
CHUNK_SIZE = 8 << 20  # bytes per PATCH of a chunked upload: the memory an upload needs, whatever the blob size


@dataclass(frozen=True)
class RetryPolicy:
    """Default: 4 tries, waiting 0.5 + 1 + 2 s between them (3.5 s of sleep at most); a 429's `Retry-After`
    is honoured up to `max_retry_after` seconds per wait."""

    attempts: int = 4
    initial_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 4.0
    max_retry_after: float = 30.0

    def delays(self) -> list[float]:
        return [min(self.initial_delay * self.factor**i, self.max_delay) for i in range(self.attempts - 1)]


class _Refused(EdgecError):
    """A `registry-error` answer (a 4xx other than 401/403/429); `oci_code`: the first code of its OCI error body."""

    def __init__(self, error: EdgecError, oci_code: str) -> None:
        super().__init__(error.diagnostic)
        self.oci_code = oci_code


#: The code distribution 2.8 answers, now and then, when two writers push the same content at once: an upload
#: finishing next to another one of the same blob, or a manifest whose blob link the other writer is writing
#: (its filesystem driver writes links in place, and an empty link reads as an invalid digest).
RACED = "DIGEST_INVALID"


class _Retryable(Exception):
    """An answer worth another try (5xx, 429); `retry_after`: the seconds a 429/503 asked for."""

    def __init__(self, message: str, *, rate_limited: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited
        self.retry_after = retry_after


def open_registry_store(
    registry: str,
    environ: Mapping[str, str],
    *,
    insecure: bool = False,
    allow_insecure_credentials: bool = False,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda _text: None,
) -> RegistryStore:
    """The store for a configured registry, with credentials from `environ` (see `credentials_from_environment`).

    Plain HTTP to a host that is not loopback is warned about; credentials are refused there (`registry-auth`)
    unless the config allows them explicitly (`insecureRegistryCredentials: true`).
    """
    host = registry.split("/", 1)[0]
    credentials = credentials_from_environment(environ, host)
    if insecure and not is_loopback(host):
        warn(f"warning: registry {host} is used over plain HTTP (insecureRegistry: true): "
             "anyone on the network can read and alter what is pushed")
        if credentials is not None and not allow_insecure_credentials:
            raise fail("registry-auth",
                       f"refusing to send the credentials ({credentials}) to {host} over plain HTTP",
                       hint="serve the registry over HTTPS, or set `insecureRegistryCredentials: true` in "
                            "edgec.yaml to send them in clear text anyway")
    return RegistryStore(registry, insecure=insecure, credentials=credentials, progress=progress,
                         timeouts=timeouts, allow_insecure_credentials=allow_insecure_credentials,
                         environ=environ)


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
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        allow_insecure_credentials: bool = False,
        environ: Mapping[str, str] | None = None,
        chunk_size: int = CHUNK_SIZE,
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
        self._timeouts = timeouts
        self._allow_insecure_credentials = allow_insecure_credentials
        self._environ = environ
        self._chunk_size = chunk_size
        self._redact = getattr(transport, "redact", None) or Redactor()
        if credentials is not None:
            self._redact.add(credentials.password, username=credentials.username)

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
            self._upload(name, blob, reference, index, len(blobs))
            uploaded += 1
            uploaded_bytes += blob.size
            self._emit("blob-uploaded", reference, blob.digest, blob.size, index, len(blobs))
        try:
            self._retrying(name, "upload manifest", lambda: self._put_manifest(name, artifact))
        except _Refused as exc:
            if exc.oci_code != RACED:
                raise
            self._sleep(next(iter(self._retry.delays()), 0.0))  # let the other writer finish
            self._retrying(name, "upload manifest", lambda: self._put_manifest(name, artifact))
        self._emit("manifest", reference, artifact.digest, len(artifact.manifest_bytes()), 0, len(blobs))
        return PushResult(reference, artifact.digest, uploaded, len(blobs) - uploaded, uploaded_bytes)

    def push_all(self, artifacts: Sequence[Artifact]) -> list[PushResult]:
        return [self.push(artifact) for artifact in artifacts]

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

    def ensure_tag(self, repository: str, tag: str, digest: str) -> PushResult | None:
        name = self._name(repository)
        reference = f"{self.host}/{name}:{tag}"
        existing = self.resolve(repository, tag)
        if existing == digest:
            self._emit("unchanged", reference, digest, 0, 0, 0)
            return PushResult(reference, digest, uploaded=0, skipped=0)
        if existing is not None:
            raise tag_moved(f"registry {self.host}", name, tag, existing, digest)
        manifest = self._retrying(name, "fetch manifest", lambda: self._find_manifest(name, digest))
        if manifest is None:
            return None
        where = f"registry {self.host}, {name}@{digest}"
        verify_blob(manifest, digest, None, where=where, code="registry-error")
        document, _ = parse_manifest(manifest, where=where, code="registry-error")
        self._retrying(name, "tag manifest", lambda: self._send(
            "PUT", f"/v2/{name}/manifests/{tag}", name, ok=(201,), data=manifest,
            headers={"Content-Type": str(document.get("mediaType", MANIFEST_MEDIA_TYPE))}))
        self._emit("manifest", reference, digest, len(manifest), 0, 0)
        return PushResult(reference, digest, uploaded=0, skipped=0)

    # ------------------------------------------------------------------------------------------ operations
    def _find_manifest(self, name: str, digest: str) -> bytes | None:
        response = self._send("GET", f"/v2/{name}/manifests/{digest}", name, ok=(200, 404),
                              headers={"Accept": _ACCEPT})
        return response.content if response.status == 200 else None

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

    def _upload(self, name: str, blob: Blob, reference: str, index: int, total: int) -> None:
        """A blob up to one chunk goes in one PUT; a larger one in PATCH chunks (the distribution spec's chunked
        upload), read from its source chunk by chunk. A chunk that fails (connection lost, timeout, 5xx) is
        resumed from the offset the registry reports, not restarted from zero."""
        for attempt in range(2):
            try:
                if blob.size <= self._chunk_size:
                    self._retrying(name, "upload blob", partial(self._upload_whole, name, blob))
                else:
                    self._upload_chunked(name, blob, reference, index, total)
                return
            except ContentChanged as exc:
                raise fail("io-error", f"registry {self.host}, {name}: {exc}",
                           hint="a model file changed while edgec read it; compile again") from None
            except _Refused as exc:
                # Two compiles pushing the same content race in the registry (see RACED). Blobs are content
                # addressed, so a blob that now exists under its digest is exactly what this upload was for;
                # one the other writer has not landed yet is uploaded once more, in a fresh session.
                if self._retrying(name, "check blob", partial(self._blob_exists, name, blob)):
                    return
                if attempt or exc.oci_code != RACED:
                    raise

    def _upload_whole(self, name: str, blob: Blob) -> None:
        location = self._start_upload(name)
        self._send("PUT", _with_query(location, digest=blob.digest), name, ok=(201,), data=blob.data,
                   headers={"Content-Type": "application/octet-stream", "Content-Length": str(blob.size)})

    def _upload_chunked(self, name: str, blob: Blob, reference: str, index: int, total: int) -> None:
        location = self._retrying(name, "start blob upload", partial(self._start_upload, name))
        offset, failures, last = 0, 0, ""
        delays = self._retry.delays()
        pieces = _pieces(blob, 0, self._chunk_size)
        while offset < blob.size:
            piece = next(pieces)
            try:
                response = self._send("PATCH", location, name, ok=(202,), data=piece, headers={
                    "Content-Type": "application/octet-stream", "Content-Length": str(len(piece)),
                    "Content-Range": f"{offset}-{offset + len(piece) - 1}"})
                location = response.headers.get("location") or location
                offset += len(piece)
                self._emit("blob-progress", reference, blob.digest, blob.size, index, total, offset)
                continue
            except TransportError as exc:
                if not (exc.retryable or exc.timeout):
                    raise fail("registry-unreachable", f"registry {self.host}, repository {name}: upload blob: "
                               f"{self._redact(str(exc))}", hint=exc.hint) from None
                last = self._redact(str(exc))
            except _Retryable as exc:
                last = str(exc)
            if failures >= len(delays):
                raise fail("registry-unreachable",
                           f"registry {self.host}, repository {name}: upload blob {blob.digest} failed at byte "
                           f"{offset} of {blob.size}: {last}; gave up after {failures + 1} attempts",
                           hint="raise `registryTimeouts.write` if the registry is just slow")
            self._sleep(delays[failures])
            failures += 1
            acknowledged = offset
            location, offset = self._retrying(name, "resume blob upload",
                                              partial(self._upload_status, name, location))
            if not acknowledged <= offset <= min(acknowledged + len(piece), blob.size):
                location, offset = self._retrying(name, "restart blob upload",  # not where we left it: anew
                                                  lambda: (self._start_upload(name), 0))
            pieces = _pieces(blob, offset, self._chunk_size)
        next(pieces, None)  # read to the end: an upload that never resumed verifies the digest of what it read
        self._retrying(name, "finish blob upload", lambda: self._send(
            "PUT", _with_query(location, digest=blob.digest), name, ok=(201,), data=b"",
            headers={"Content-Length": "0"}))

    def _start_upload(self, name: str) -> str:
        started = self._send("POST", f"/v2/{name}/blobs/uploads/", name, ok=(202,), data=b"",
                             headers={"Content-Length": "0"})
        location = started.headers.get("location")
        if not location:
            raise fail("registry-error", f"registry {self.host}, {name}: upload session has no Location")
        return location

    def _upload_status(self, name: str, location: str) -> tuple[str, int]:
        """Where an interrupted upload stands: (location, next offset). A session the registry forgot starts anew."""
        response = self._send("GET", location, name, ok=(204, 404))
        if response.status == 404:
            return self._start_upload(name), 0
        match = re.fullmatch(r"(?:bytes=)?0-(\d+)", response.headers.get("range", "").strip())
        # distribution writes `0-0` for an empty upload (and for one byte, which a chunked upload never holds)
        end = int(match[1]) if match else 0
        return response.headers.get("location") or location, end + 1 if end else 0

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
            self._transport = HttpTransport(self.host, insecure=self._insecure, credentials=self._credentials,
                                            timeouts=self._timeouts, redactor=self._redact,
                                            allow_plain_credentials=self._allow_insecure_credentials,
                                            environ=self._environ)
        return self._transport

    def _send(self, method: str, url: str, name: str, *, ok: tuple[int, ...],
              headers: dict[str, str] | None = None, data: bytes | None = None) -> HttpResponse:
        try:
            response = self._transport_().request(method, url, headers=headers, data=data)
        except AuthError as exc:
            raise fail("registry-auth", f"registry {self.host}, repository {name}: {self._redact(str(exc))}",
                       hint=self._login_hint()) from None
        if response.status in ok:
            return response
        if response.status == 429:
            raise _Retryable(f"rate limited (HTTP 429){self._detail(response)}", rate_limited=True,
                             retry_after=_retry_after(response.headers.get("retry-after")))
        if response.status >= 500:
            raise _Retryable(f"HTTP {response.status}{self._detail(response)}",
                             retry_after=_retry_after(response.headers.get("retry-after")))
        if response.status in (401, 403):
            raise self._auth_error(name, response)
        error = fail("registry-error",
                     f"registry {self.host}, repository {name}: {method} answered HTTP {response.status}"
                     f"{self._detail(response)}")
        raise _Refused(error, _first_error(response)[0])

    def _detail(self, response: HttpResponse) -> str:
        return self._redact(_error_detail(response))

    def _login_hint(self) -> str:
        return f"set {USERNAME_VAR} and EDGEC_REGISTRY_PASSWORD, or log in with `docker login {self.host}`"

    def _auth_error(self, name: str, response: HttpResponse) -> EdgecError:
        who = f"the credentials ({self._credentials})" if self._credentials else "anonymous access"
        return fail(
            "registry-auth",
            f"registry {self.host} refused {who} for repository {name} "
            f"(HTTP {response.status}{self._detail(response)})",
            hint=self._login_hint(),
        )

    def _retrying(self, name: str, what: str, operation: Callable[[], T]) -> T:
        last = ""
        rate_limited = False
        delays = self._retry.delays()
        for attempt in range(self._retry.attempts):
            asked: float | None = None
            try:
                return operation()
            except TransportError as exc:
                if not exc.retryable:
                    raise fail("registry-unreachable",
                               f"registry {self.host}, repository {name}: {what}: {self._redact(str(exc))}",
                               hint=exc.hint) from None
                last, rate_limited = self._redact(str(exc)), False
            except _Retryable as exc:
                last, rate_limited, asked = str(exc), exc.rate_limited, exc.retry_after
            if attempt < len(delays):
                delay = delays[attempt] if asked is None else max(delays[attempt],
                                                                  min(asked, self._retry.max_retry_after))
                self._sleep(delay)
        if rate_limited:
            raise fail(
                "registry-unreachable",
                f"registry {self.host} rate limited {what} in repository {name}: {last}; "
                f"gave up after {self._retry.attempts} attempts",
                hint="the registry limits how many requests it accepts: wait, then compile again (or log in: "
                     "registries allow authenticated clients more)",
            )
        raise fail(
            "registry-unreachable",
            f"registry {self.host} is unreachable ({what} in repository {name}): "
            f"{last}; gave up after {self._retry.attempts} attempts",
            hint=f"check that the registry at {self.host} is running"
            + ("" if self._insecure else " and serves HTTPS (`insecureRegistry: true` for plain HTTP)"),
        )

    def _emit(self, kind: str, reference: str, digest: str, size: int, index: int, total: int,
              done: int = 0) -> None:
        if self._progress is not None:
            self._progress(ProgressEvent(kind, reference, digest, size, index, total, done))  # type: ignore[arg-type]


def _pieces(blob: Blob, offset: int, size: int) -> Iterator[bytes]:
    """The blob from `offset` on, regrouped into pieces of `size` bytes (the last may be shorter)."""
    buffer = bytearray()
    for chunk in blob.chunks(offset):
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _first_error(response: HttpResponse) -> tuple[str, str]:
    """(code, message) of the first error of an OCI error body; ("", "") if it has none."""
    try:
        first = json.loads(response.content or b"{}").get("errors")[0]
        code, message = first.get("code", ""), first.get("message", "")
    except (ValueError, AttributeError, IndexError, TypeError, KeyError):
        return "", ""
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def _error_detail(response: HttpResponse) -> str:
    """`: CODE message` from an OCI error body (unredacted: the store redacts it)."""
    code, message = _first_error(response)
    return f": {code} {message}".rstrip() if code or message else ""
