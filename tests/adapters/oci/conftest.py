"""Fixtures for the OCI tests: real registries (tests/support/registry.py), helm, a fake transport; the sample
artifacts come from tests/assemble/samples.py."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.adapters.oci.transport import HttpResponse, TransportError
from compiler.assemble.oci_objects import sha256_digest
from tests.assemble.samples import make_chart, make_pipeline, models  # noqa: F401 - shared fixtures
from tests.support.registry import RegistryServer, helm_binary, require_registry

USERS = {"alice": "correct-horse-battery"}


# ------------------------------------------------------------------------------------------ real registries
@pytest.fixture
def registry_server(tmp_path: Path) -> Iterator[RegistryServer]:
    require_registry()
    with RegistryServer(tmp_path / "registry") as server:
        yield server


@pytest.fixture
def auth_registry_server(tmp_path: Path) -> Iterator[RegistryServer]:
    require_registry()
    with RegistryServer(tmp_path / "auth-registry", users=USERS) as server:
        yield server


@pytest.fixture
def helm() -> str:
    binary = helm_binary()
    if binary is None:
        pytest.skip("no helm binary (set EDGEC_HELM, put helm on PATH, or unpack it to /tmp/helmdl/helm/helm)")
    return binary


# ------------------------------------------------------------------------------------------ fake transport
Fault = int | TransportError


class FakeRegistry:
    """An in-memory distribution API, enough for RegistryStore; `faults` are served before real answers."""

    def __init__(self) -> None:
        self.blobs: dict[tuple[str, str], bytes] = {}
        self.manifests: dict[tuple[str, str], bytes] = {}  # (name, digest) -> bytes
        self.tags: dict[tuple[str, str], str] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.corrupt: set[str] = set()  # digests served with altered bytes
        self._uploads = itertools.count(1)

    def request(self, method: str, url: str, *, headers: Any = None, data: bytes | None = None) -> HttpResponse:
        path, _, query = url.removeprefix("http://fake").partition("?")
        self.requests.append((method, path))
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, TransportError):
                raise fault
            return HttpResponse(fault, {}, b'{"errors":[{"code":"DENIED","message":"requested access denied"}]}')
        if m := re.fullmatch(r"/v2/(.+)/blobs/uploads/", path):
            return HttpResponse(202, {"location": f"http://fake/v2/{m[1]}/blobs/uploads/{next(self._uploads)}"})
        if m := re.fullmatch(r"/v2/(.+)/blobs/uploads/\d+", path):
            digest = dict(p.split("=", 1) for p in query.split("&"))["digest"].replace("%3A", ":")
            assert sha256_digest(data or b"") == digest
            self.blobs[(m[1], digest)] = data or b""
            return HttpResponse(201, {"docker-content-digest": digest})
        if m := re.fullmatch(r"/v2/(.+)/blobs/(sha256:[0-9a-f]{64})", path):
            found = self.blobs.get((m[1], m[2]))
            if found is None:
                return HttpResponse(404)
            body = found + b"!" if m[2] in self.corrupt else found
            return HttpResponse(200, {"content-length": str(len(body))}, b"" if method == "HEAD" else body)
        if m := re.fullmatch(r"/v2/(.+)/manifests/([^/]+)", path):
            name, ref = m[1], m[2]
            if method == "PUT":
                digest = sha256_digest(data or b"")
                self.manifests[(name, digest)] = data or b""
                self.tags[(name, ref)] = digest
                return HttpResponse(201, {"docker-content-digest": digest})
            digest = ref if ref.startswith("sha256:") else self.tags.get((name, ref), "")
            body = self.manifests.get((name, digest))
            if body is None:
                return HttpResponse(404)
            body = body + b" " if digest in self.corrupt else body
            return HttpResponse(200, {"docker-content-digest": digest}, b"" if method == "HEAD" else body)
        return HttpResponse(404)

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] in ("POST", "PUT")]


@pytest.fixture
def fake_registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def record_sleep(sleeps: list[float]) -> Callable[[float], None]:
    return sleeps.append
