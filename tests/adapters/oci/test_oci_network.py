"""Networks that misbehave, against real sockets: a server that never answers, a proxy that rate-limits, echoes
credentials or stops reading an upload, in front of the real docker-registry."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.adapters.oci.credentials import Credentials
from compiler.adapters.oci.registry import RegistryStore, RetryPolicy, open_registry_store
from compiler.adapters.oci.transport import DEFAULT_TIMEOUTS, HttpTransport, Timeouts, TransportError
from compiler.assemble.oci_objects import Artifact
from compiler.diagnostics import EdgecError, ExitCode
from compiler.spec.model import RegistryTimeouts
from tests.support.netfaults import FaultProxy, HangingServer, OneShotServer
from tests.support.registry import RegistryServer

pytestmark = pytest.mark.integration
MakePipeline = Callable[..., Artifact]
USER, PASSWORD = "alice", "correct-horse-battery"


def test_default_timeouts_fail_within_two_minutes_and_match_the_config_defaults() -> None:
    assert Timeouts(**RegistryTimeouts().model_dump()) == DEFAULT_TIMEOUTS
    assert DEFAULT_TIMEOUTS.connect + DEFAULT_TIMEOUTS.read <= 120


def test_a_kept_alive_connection_the_server_closed_is_retried_once_on_a_new_one() -> None:
    with OneShotServer(answer=True) as server:
        transport = HttpTransport(server.address, insecure=True, credentials=None,
                                  timeouts=Timeouts(connect=2, read=2, write=2))
        answers = [transport.request("GET", "/v2/") for _ in range(3)]
        transport.close()
    assert [(a.status, a.content) for a in answers] == [(200, b"ok")] * 3
    assert server.connections == 3  # each later request found its connection closed and opened one more


def test_a_chunk_on_a_kept_alive_connection_the_server_closed_is_not_sent_twice() -> None:
    """The server may have taken a PATCH before the connection dropped: repeating it would append the chunk
    twice, so the transport reports the loss (retryable) and the upload asks the registry for its offset."""
    with OneShotServer(answer=True) as server:
        transport = HttpTransport(server.address, insecure=True, credentials=None,
                                  timeouts=Timeouts(connect=2, read=2, write=2))
        assert transport.request("GET", "/v2/").status == 200
        with pytest.raises(TransportError) as err:
            transport.request("PATCH", "/v2/r/blobs/uploads/u", data=b"chunk")
        transport.close()
    assert err.value.retryable and "connection lost" in str(err.value)
    assert server.connections == 1


def test_a_new_connection_that_is_lost_is_not_retried() -> None:
    with OneShotServer(answer=False) as server:
        transport = HttpTransport(server.address, insecure=True, credentials=None,
                                  timeouts=Timeouts(connect=2, read=2, write=2))
        with pytest.raises(TransportError) as err:
            transport.request("GET", "/v2/")
    assert f"registry {server.address}: connection lost" in str(err.value) and err.value.retryable
    assert server.connections == 1


def test_a_server_that_never_answers_times_out_naming_host_and_operation(make_pipeline: MakePipeline) -> None:
    with HangingServer() as hang:
        store = RegistryStore(hang.address, insecure=True, timeouts=Timeouts(connect=1, read=1.5, write=1),
                              sleep=lambda _s: None)
        started = time.monotonic()
        with pytest.raises(EdgecError) as err:
            store.push(make_pipeline())
        elapsed = time.monotonic() - started
    diagnostic = err.value.diagnostic
    assert diagnostic.code == "registry-unreachable" and err.value.exit_code == ExitCode.ENVIRONMENT
    assert hang.address in diagnostic.message and "resolve tag" in diagnostic.message
    assert "read timeout" in diagnostic.message and "registryTimeouts.read" in (diagnostic.hint or "")
    assert 1.4 <= elapsed < 10  # one read timeout, not retried four times


def test_429_waits_for_retry_after_and_then_succeeds(registry_server: RegistryServer,
                                                     make_pipeline: MakePipeline) -> None:
    sleeps: list[float] = []
    with FaultProxy(registry_server.registry, rate_limit=2, retry_after="2") as proxy:
        result = RegistryStore(proxy.address, insecure=True, sleep=sleeps.append).push(make_pipeline())
    assert result.uploaded == 3
    assert sleeps == [2.0, 2.0]  # Retry-After, not the 0.5 s / 1 s backoff


def test_retry_after_is_bounded_and_the_failure_says_rate_limited(registry_server: RegistryServer,
                                                                  make_pipeline: MakePipeline) -> None:
    sleeps: list[float] = []
    with FaultProxy(registry_server.registry, rate_limit=100, retry_after="3600") as proxy:
        store = RegistryStore(proxy.address, insecure=True, sleep=sleeps.append,
                              retry=RetryPolicy(max_retry_after=5))
        with pytest.raises(EdgecError) as err:
            store.push(make_pipeline())
    assert sleeps == [5.0, 5.0, 5.0]
    message = err.value.diagnostic.message
    assert err.value.diagnostic.code == "registry-unreachable" and "rate limited" in message
    assert "unreachable" not in message and "running" not in (err.value.diagnostic.hint or "")


def test_an_echoed_authorization_header_is_redacted(auth_registry_server: RegistryServer,
                                                    make_pipeline: MakePipeline) -> None:
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    credentials = Credentials(USER, PASSWORD)
    # first learn that the registry wants Basic (the proxy forwards the 401), then every answer echoes headers
    with FaultProxy(auth_registry_server.registry) as proxy:
        store = RegistryStore(proxy.address, insecure=True, credentials=credentials, sleep=lambda _s: None)
        assert store.resolve("pipelines/demo", "v1") is None
        proxy.echo_status = 400
        with pytest.raises(EdgecError) as err:
            store.push(make_pipeline())
    text = err.value.diagnostic.message + (err.value.diagnostic.hint or "")
    assert "Authorization" in text and "[redacted]" in text
    for secret in (PASSWORD, basic, basic.rstrip("=")):
        assert secret not in text


def test_an_upload_survives_a_registry_that_stops_reading_longer_than_the_connect_timeout(
        registry_server: RegistryServer, make_pipeline: MakePipeline) -> None:
    big = bytes(range(256)) * (64 * 1024)  # 16 MiB: more than the socket buffers hold
    with FaultProxy(registry_server.registry, stall_after=4 << 20, stall_seconds=3.5) as proxy:
        store = RegistryStore(proxy.address, insecure=True, timeouts=Timeouts(connect=1, read=30, write=10))
        result = store.push(make_pipeline(rf=big))
    assert proxy.stalled and result.uploaded == 3


def test_a_stall_beyond_the_write_timeout_resumes_the_chunked_upload(registry_server: RegistryServer,
                                                                     make_pipeline: MakePipeline) -> None:
    big = bytes(range(256)) * (4 << 16)  # 64 MiB in 16 MiB chunks: more than the socket buffers hold
    sleeps: list[float] = []
    with FaultProxy(registry_server.registry, stall_after=1 << 20, stall_seconds=2.5) as proxy:
        store = RegistryStore(proxy.address, insecure=True, timeouts=Timeouts(connect=5, read=30, write=1),
                              sleep=sleeps.append, chunk_size=16 << 20)
        result = store.push(make_pipeline(rf=big))
    assert proxy.stalled and result.uploaded == 3 and len(sleeps) == 1
    # the first chunk was lost to the write timeout and sent again from byte 0; no chunk was sent twice after it
    mib = 1 << 20
    assert proxy.ranges == [f"{i * 16 * mib}-{(i + 1) * 16 * mib - 1}" for i in range(4)]
    assert any(method == "GET" and "/blobs/uploads/" in path for method, path, _ in proxy.requests)
    blobs = RegistryStore(registry_server.registry, insecure=True).fetch("pipelines/demo", "v1")[1]
    assert big in blobs.values()


def test_an_upload_that_keeps_stalling_fails_naming_the_write_timeout(registry_server: RegistryServer,
                                                                      make_pipeline: MakePipeline) -> None:
    big = bytes(range(256)) * (4 << 16)
    with FaultProxy(registry_server.registry, stall_after=1 << 20, stall_seconds=1.5, stall_always=True) as proxy:
        store = RegistryStore(proxy.address, insecure=True, timeouts=Timeouts(connect=5, read=30, write=0.5),
                              sleep=lambda _s: None, chunk_size=16 << 20)
        with pytest.raises(EdgecError) as err:
            store.push(make_pipeline(rf=big))
    message = err.value.diagnostic.message
    assert "write timeout" in message and proxy.address in message and "gave up after 4 attempts" in message
    assert "registryTimeouts.write" in (err.value.diagnostic.hint or "")


def test_plain_http_to_a_remote_host_with_credentials_is_refused_unless_allowed(tmp_path: Path) -> None:
    env = {"EDGEC_REGISTRY_USERNAME": USER, "EDGEC_REGISTRY_PASSWORD": PASSWORD}
    warnings: list[str] = []
    with pytest.raises(EdgecError) as err:
        open_registry_store("registry.example.com/edge", env, insecure=True, warn=warnings.append)
    assert err.value.diagnostic.code == "registry-auth"
    assert "insecureRegistryCredentials" in (err.value.diagnostic.hint or "")
    assert PASSWORD not in err.value.diagnostic.message
    assert len(warnings) == 1 and "plain HTTP" in warnings[0]

    warnings.clear()
    store = open_registry_store("registry.example.com/edge", env, insecure=True,
                                allow_insecure_credentials=True, warn=warnings.append)
    assert store.host == "registry.example.com" and len(warnings) == 1
    warnings.clear()
    open_registry_store("127.0.0.1:5000/edge", env, insecure=True, warn=warnings.append)  # loopback: fine
    open_registry_store("registry.example.com/edge", {}, insecure=True, warn=warnings.append)  # anonymous
    assert len(warnings) == 1


def test_http_proxy_from_the_environment_carries_the_requests(registry_server: RegistryServer,
                                                              make_pipeline: MakePipeline) -> None:
    with FaultProxy(registry_server.registry, rewrite_host=False) as proxy:
        store = RegistryStore(registry_server.registry, insecure=True, environ={"HTTP_PROXY": proxy.address})
        assert store.push(make_pipeline()).uploaded == 3
        bypassed = RegistryStore(registry_server.registry, insecure=True,
                                 environ={"HTTP_PROXY": proxy.address, "NO_PROXY": "127.0.0.1"})
        seen = len(proxy.requests)
        assert bypassed.resolve("pipelines/demo", "v1") is not None
    assert seen >= 5 and len(proxy.requests) == seen
    assert all(path.startswith(f"http://{registry_server.registry}/v2/") for _, path, _ in proxy.requests), \
        proxy.requests
