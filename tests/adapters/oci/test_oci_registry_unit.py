"""RegistryStore against an in-memory fake transport: idempotence, immutability, retries, error mapping."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from compiler.adapters.oci.credentials import Credentials
from compiler.adapters.oci.registry import RegistryStore, RetryPolicy
from compiler.adapters.oci.store import ProgressEvent
from compiler.adapters.oci.transport import HttpResponse, TransportError
from compiler.assemble.oci_objects import Artifact
from compiler.diagnostics import EdgecError, ExitCode

MakePipeline = Callable[..., Artifact]
SECRET = "hunter2-very-secret"


def store(fake: Any, sleep: Callable[[float], None] = lambda _s: None, **kwargs: Any) -> RegistryStore:
    return RegistryStore("fake/edge", transport=fake, sleep=sleep, **kwargs)


def code_of(err: pytest.ExceptionInfo[EdgecError]) -> str:
    return err.value.diagnostic.code


def test_push_then_repush_uploads_nothing(fake_registry: Any, make_pipeline: MakePipeline) -> None:
    art = make_pipeline()
    events: list[ProgressEvent] = []
    first = store(fake_registry, progress=events.append).push(art)
    assert (first.uploaded, first.skipped) == (3, 0)
    assert first.digest == art.digest
    assert first.reference == "fake/edge/pipelines/demo:v1"
    assert first.pinned == f"fake/edge/pipelines/demo@{art.digest}"
    assert fake_registry.tags[("edge/pipelines/demo", "v1")] == art.digest
    assert fake_registry.manifests[("edge/pipelines/demo", art.digest)] == art.manifest_bytes()
    assert [e.kind for e in events] == ["blob-uploaded"] * 3 + ["manifest"]

    fake_registry.requests.clear()
    second = store(fake_registry).push(art)
    assert (second.uploaded, second.skipped, second.digest) == (0, 3, art.digest)
    assert fake_registry.writes() == []


def test_present_blobs_are_not_uploaded_again(fake_registry: Any, make_pipeline: MakePipeline) -> None:
    store(fake_registry).push(make_pipeline(version="v1"))
    result = store(fake_registry).push(make_pipeline(version="v2"))
    assert (result.uploaded, result.skipped) == (1, 2)  # only the config differs


def test_changed_content_under_a_published_tag_is_immutable_changed(
    fake_registry: Any, make_pipeline: MakePipeline
) -> None:
    store(fake_registry).push(make_pipeline())
    fake_registry.requests.clear()
    with pytest.raises(EdgecError) as err:
        store(fake_registry).push(make_pipeline(rf=b"other weights"))
    assert code_of(err) == "immutable-changed"
    assert "pipelines/demo" in err.value.diagnostic.message and err.value.diagnostic.hint
    assert fake_registry.writes() == []


def test_5xx_and_refusals_are_retried_with_backoff(
    fake_registry: Any, make_pipeline: MakePipeline, sleeps: list[float], record_sleep: Any
) -> None:
    fake_registry.faults = [503, TransportError("Connection refused", retryable=True), 502]
    result = store(fake_registry, sleep=record_sleep).push(make_pipeline())
    assert result.uploaded == 3
    assert sleeps == [0.5, 1.0, 2.0]


def test_unreachable_after_bounded_retries(
    fake_registry: Any, make_pipeline: MakePipeline, sleeps: list[float], record_sleep: Any
) -> None:
    fake_registry.faults = [TransportError("Connection refused", retryable=True)] * 10
    with pytest.raises(EdgecError) as err:
        store(fake_registry, sleep=record_sleep).push(make_pipeline())
    assert code_of(err) == "registry-unreachable"
    assert err.value.exit_code == ExitCode.ENVIRONMENT
    message = err.value.diagnostic.message
    assert "fake" in message and "edge/pipelines/demo" in message and "Connection refused" in message
    assert len(sleeps) == 3 and sum(sleeps) < 10
    assert len(fake_registry.requests) == 4


def test_retry_policy_is_bounded() -> None:
    assert sum(RetryPolicy().delays()) < 10
    assert RetryPolicy(attempts=6, initial_delay=1, max_delay=2).delays() == [1, 2, 2, 2, 2]


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_registry_auth_without_retry(
    fake_registry: Any, make_pipeline: MakePipeline, sleeps: list[float], record_sleep: Any, status: int
) -> None:
    fake_registry.faults = [status]
    creds = Credentials("alice", SECRET)
    with pytest.raises(EdgecError) as err:
        store(fake_registry, sleep=record_sleep, credentials=creds).push(make_pipeline())
    assert code_of(err) == "registry-auth" and err.value.exit_code == ExitCode.ENVIRONMENT
    diagnostic = err.value.diagnostic
    assert "alice" in diagnostic.message and "edge/pipelines/demo" in diagnostic.message
    assert SECRET not in f"{diagnostic.message} {diagnostic.hint} {creds!r} {creds}"
    assert sleeps == []


def test_anonymous_refusal_says_so(fake_registry: Any, make_pipeline: MakePipeline) -> None:
    fake_registry.faults = [401]
    with pytest.raises(EdgecError) as err:
        store(fake_registry).push(make_pipeline())
    assert "anonymous" in err.value.diagnostic.message
    assert "EDGEC_REGISTRY_USERNAME" in (err.value.diagnostic.hint or "")


def test_tls_failure_is_not_retried(fake_registry: Any, make_pipeline: MakePipeline, sleeps: list[float],
                                    record_sleep: Any) -> None:
    fake_registry.faults = [TransportError("TLS handshake failed", retryable=False, hint="insecureRegistry")]
    with pytest.raises(EdgecError) as err:
        store(fake_registry, sleep=record_sleep).push(make_pipeline())
    assert code_of(err) == "registry-unreachable" and err.value.diagnostic.hint == "insecureRegistry"
    assert sleeps == []


def test_fetch_verifies_every_digest(fake_registry: Any, make_pipeline: MakePipeline) -> None:
    art = make_pipeline()
    registry = store(fake_registry)
    registry.push(art)
    manifest, blobs = registry.fetch(art.repository, art.tag)
    assert manifest == art.manifest_bytes()
    assert blobs == {b.digest: b.data for b in art.blobs()}
    assert registry.fetch(art.repository, art.digest)[0] == manifest
    assert registry.resolve(art.repository, art.tag) == art.digest
    assert registry.resolve(art.repository, "v9") is None

    fake_registry.corrupt.add(art.layers[0].digest)
    with pytest.raises(EdgecError, match="failed verification") as exc:
        registry.fetch(art.repository, art.tag)
    assert exc.value.diagnostic.code == "registry-error" and int(exc.value.exit_code) == 3
    fake_registry.corrupt = {art.digest}
    with pytest.raises(EdgecError, match="manifest content has digest") as exc:
        registry.fetch(art.repository, art.digest)
    assert exc.value.diagnostic.code == "registry-error"


def test_a_registry_that_answers_but_refuses_is_a_registry_error(fake_registry: Any,
                                                                  make_pipeline: MakePipeline) -> None:
    fake_registry.faults = [400]
    with pytest.raises(EdgecError) as exc:
        store(fake_registry).push(make_pipeline())
    assert exc.value.diagnostic.code == "registry-error" and "HTTP 400" in exc.value.diagnostic.message
    assert int(exc.value.exit_code) == 3


def test_refused_connection_on_a_real_socket_is_unreachable(make_pipeline: MakePipeline) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    registry = RegistryStore(f"127.0.0.1:{port}/edge", insecure=True, sleep=sleeps.append)
    with pytest.raises(EdgecError) as err:
        registry.push(make_pipeline())
    assert code_of(err) == "registry-unreachable"
    assert f"127.0.0.1:{port}" in err.value.diagnostic.message
    assert "refused" in err.value.diagnostic.message.lower()
    assert sleeps == RetryPolicy().delays()


class RacedRegistry:
    """Another compile uploads the same blobs; the registry refuses this upload with DIGEST_INVALID
    (distribution 2.8 does so when two uploads of one content finish together). `land_blob`: the other writer's
    blob is there when this one is refused; `refusals`: how many of this writer's uploads are refused."""

    def __init__(self, fake: Any, *, land_blob: bool, refusals: int = 1 << 30) -> None:
        self.fake, self.land_blob, self.refusals, self.refused = fake, land_blob, refusals, 0

    def request(self, method: str, url: str, *, headers: Any = None, data: bytes | None = None) -> Any:
        if method == "PUT" and "/blobs/uploads/" in url and self.refused < self.refusals:
            self.fake.request(method, url, headers=headers, data=data)  # the other writer's blob
            if not self.land_blob:
                self.fake.blobs.clear()
            self.refused += 1
            return HttpResponse(400, {}, b'{"errors":[{"code":"DIGEST_INVALID","message":"provided digest '
                                           b'did not match uploaded content"}]}')
        return self.fake.request(method, url, headers=headers, data=data)


def test_an_upload_refused_while_another_writer_landed_the_same_blob_succeeds(
        fake_registry: Any, make_pipeline: MakePipeline) -> None:
    raced = RacedRegistry(fake_registry, land_blob=True)
    art = make_pipeline()
    result = store(raced).push(art)
    assert raced.refused == len(art.blobs()) and result.digest == art.digest
    assert {digest for _name, digest in fake_registry.blobs} == {b.digest for b in art.blobs()}


class RefusedManifest:
    """The registry refuses the first `refusals` manifest PUTs with the OCI error `code`."""

    def __init__(self, fake: Any, code: str, refusals: int) -> None:
        self.fake, self.code, self.refusals, self.refused = fake, code, refusals, 0

    def request(self, method: str, url: str, *, headers: Any = None, data: bytes | None = None) -> Any:
        if method == "PUT" and "/manifests/" in url and self.refused < self.refusals:
            self.refused += 1
            body = b'{"errors":[{"code":"' + self.code.encode() + b'","message":"refused"}]}'
            return HttpResponse(400, {}, body)
        return self.fake.request(method, url, headers=headers, data=data)


def test_a_manifest_refused_while_another_writer_links_its_blobs_is_put_once_more(
        fake_registry: Any, make_pipeline: MakePipeline, sleeps: list[float], record_sleep: Any) -> None:
    """distribution 2.8 reads a blob link the other writer is writing as an invalid digest (DIGEST_INVALID)."""
    refusing = RefusedManifest(fake_registry, "DIGEST_INVALID", refusals=1)
    art = make_pipeline()
    assert store(refusing, sleep=record_sleep).push(art).digest == art.digest
    assert refusing.refused == 1 and sleeps == [0.5] and fake_registry.manifests


@pytest.mark.parametrize(("code", "refusals"), [("DIGEST_INVALID", 2), ("MANIFEST_BLOB_UNKNOWN", 1)])
def test_a_manifest_refused_for_another_reason_or_twice_is_a_registry_error(
        fake_registry: Any, make_pipeline: MakePipeline, code: str, refusals: int) -> None:
    refusing = RefusedManifest(fake_registry, code, refusals=refusals)
    with pytest.raises(EdgecError) as exc:
        store(refusing).push(make_pipeline())
    assert code_of(exc) == "registry-error" and code in exc.value.diagnostic.message
    assert refusing.refused == refusals and not fake_registry.manifests


def test_an_upload_refused_before_the_other_writer_landed_the_blob_is_uploaded_once_more(
        fake_registry: Any, make_pipeline: MakePipeline) -> None:
    raced = RacedRegistry(fake_registry, land_blob=False, refusals=1)
    art = make_pipeline()
    result = store(raced).push(art)
    assert raced.refused == 1 and result.digest == art.digest and result.uploaded == len(art.blobs())
    assert {digest for _name, digest in fake_registry.blobs} == {b.digest for b in art.blobs()}


def test_an_upload_refused_twice_with_no_blob_landed_stays_a_registry_error(
        fake_registry: Any, make_pipeline: MakePipeline) -> None:
    raced = RacedRegistry(fake_registry, land_blob=False)
    with pytest.raises(EdgecError) as exc:
        store(raced).push(make_pipeline())
    assert code_of(exc) == "registry-error" and "DIGEST_INVALID" in exc.value.diagnostic.message
    assert raced.refused == 2 and not fake_registry.manifests
