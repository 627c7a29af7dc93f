"""The Bearer token flow against the real docker-registry configured for token auth, with a test token server."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from compiler.adapters.oci.credentials import Credentials
from compiler.adapters.oci.registry import RegistryStore
from compiler.assemble.oci_objects import Artifact
from compiler.diagnostics import EdgecError
from tests.support.registry import RegistryServer, require_registry
from tests.support.token_server import TokenServer

pytestmark = pytest.mark.integration
MakePipeline = Callable[..., Artifact]
USER, PASSWORD = "robot", "token-flow-password"


@pytest.fixture
def token_registry(tmp_path: Path) -> Iterator[tuple[RegistryServer, TokenServer]]:
    require_registry()
    with TokenServer(tmp_path / "tokens", users={USER: PASSWORD}, anonymous_pull=True) as tokens, \
            RegistryServer(tmp_path / "registry", auth_lines=tokens.registry_auth_lines()) as server:
        yield server, tokens


def test_push_and_pull_with_tokens_fetched_per_scope(token_registry: tuple[RegistryServer, TokenServer],
                                                     make_pipeline: MakePipeline) -> None:
    server, tokens = token_registry
    store = RegistryStore(server.registry, insecure=True, credentials=Credentials(USER, PASSWORD))
    art = make_pipeline()
    assert store.push(art).uploaded == 3
    assert store.resolve(art.repository, art.tag) == art.digest
    scopes = [(scope.rsplit(":", 1)[0], frozenset(scope.rsplit(":", 1)[1].split(",")))
              for scope, user in tokens.requests if user == USER]
    assert ("repository:pipelines/demo", {"pull"}) in scopes  # the first HEAD asked for pull
    assert ("repository:pipelines/demo", {"pull", "push"}) in scopes  # the upload widened it: a new token
    assert len(tokens.requests) <= 3  # a token is reused, not fetched per request
    chart = RegistryStore(server.registry, insecure=True, credentials=Credentials(USER, PASSWORD))
    manifest, _ = chart.fetch(art.repository, art.tag)
    assert manifest == art.manifest_bytes()


def test_anonymous_pull_token_reads_and_cannot_push(token_registry: tuple[RegistryServer, TokenServer],
                                                    make_pipeline: MakePipeline) -> None:
    server, tokens = token_registry
    art = make_pipeline()
    RegistryStore(server.registry, insecure=True, credentials=Credentials(USER, PASSWORD)).push(art)
    anonymous = RegistryStore(server.registry, insecure=True, sleep=lambda _s: None)
    assert anonymous.resolve(art.repository, art.tag) == art.digest
    assert (f"repository:{art.repository}:pull", None) in tokens.requests
    with pytest.raises(EdgecError) as err:
        anonymous.push(make_pipeline(version="v2"))
    assert err.value.diagnostic.code == "registry-auth" and "anonymous access" in err.value.diagnostic.message


def test_wrong_password_is_refused_by_the_token_server_without_leaking(
        token_registry: tuple[RegistryServer, TokenServer], make_pipeline: MakePipeline) -> None:
    server, _tokens = token_registry
    store = RegistryStore(server.registry, insecure=True, credentials=Credentials(USER, "wrong-password-123"))
    with pytest.raises(EdgecError) as err:
        store.push(make_pipeline())
    diagnostic = err.value.diagnostic
    assert diagnostic.code == "registry-auth" and "token server 127.0.0.1" in diagnostic.message
    basic = base64.b64encode(f"{USER}:wrong-password-123".encode()).decode()
    assert "wrong-password-123" not in diagnostic.message and basic not in diagnostic.message


def test_an_expired_token_is_fetched_again(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    import time

    require_registry()
    with TokenServer(tmp_path / "tokens", users={USER: PASSWORD}, ttl=1) as tokens, \
            RegistryServer(tmp_path / "registry", auth_lines=tokens.registry_auth_lines()) as server:
        store = RegistryStore(server.registry, insecure=True, credentials=Credentials(USER, PASSWORD))
        assert store.resolve("pipelines/demo", "v1") is None
        fetched = len(tokens.requests)
        time.sleep(2.5)
        assert store.push(make_pipeline()).uploaded == 3
    assert len(tokens.requests) > fetched
