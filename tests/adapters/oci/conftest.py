"""Fixtures for the OCI tests: real registries (tests/support/registry.py), helm, a fake transport, samples."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.adapters.oci.transport import HttpResponse, TransportError
from compiler.assemble.archive import tar_gz
from compiler.assemble.artifact_builders import chart_artifact, pipeline_artifact
from compiler.assemble.oci_objects import Artifact, sha256_digest
from compiler.spec import naming
from compiler.spec.model import DeploymentConfig, ModelSpec, PipelineVersion
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


# ------------------------------------------------------------------------------------------ samples
def sample_chart(pipeline: str = "demo", version: str = "v1") -> Artifact:
    chart_version = naming.chart_version(version)
    chart_yaml = {"apiVersion": "v2", "name": pipeline, "version": chart_version, "type": "application"}
    files = {
        f"{pipeline}/Chart.yaml": f"apiVersion: v2\nname: {pipeline}\nversion: {chart_version}\n".encode(),
        f"{pipeline}/templates/cm.yaml": (
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"
            b"data:\n  chartVersion: {{ .Chart.Version | quote }}\n"
        ),
    }
    return chart_artifact(pipeline, version, tar_gz(files), chart_yaml)


def _schema(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "type": "float32", "shape": [4]}]


def sample_models() -> dict[str, ModelSpec]:
    return {
        "rf": ModelSpec.model_validate({"framework": "onnx", "artifact": "models/rf.onnx",
                                        "inputSchema": _schema("tensor"), "outputSchema": _schema("score")}),
        "tok": ModelSpec.model_validate({"framework": "hugging-face-text-classification", "artifact": "models/tok",
                                         "inputSchema": _schema("score"), "outputSchema": _schema("label")}),
    }


def write_model_files(root: Path, *, rf: bytes = b"onnx-bytes-v1") -> dict[str, Path]:
    (root / "models" / "tok" / "sub").mkdir(parents=True, exist_ok=True)
    (root / "models" / "rf.onnx").write_bytes(rf)
    (root / "models" / "tok" / "vocab.txt").write_bytes(b"a\nb\n")
    (root / "models" / "tok" / "sub" / "weights.bin").write_bytes(bytes(range(256)))
    return {"rf": root / "models" / "rf.onnx", "tok": root / "models" / "tok"}


def sample_pipeline(root: Path, *, pipeline: str = "demo", version: str = "v1", rf: bytes = b"onnx-bytes-v1",
                    steps: tuple[str, ...] = ("rf", "tok")) -> Artifact:
    paths = write_model_files(root, rf=rf)
    return pipeline_artifact(
        pipeline,
        PipelineVersion.model_validate({"name": version, "steps": [{"model": s} for s in steps]}),
        sample_models(),
        paths,
        DeploymentConfig.model_validate({"engine": {"cpus": 2, "memory": "2Gi"}}),
        engine={"image": "ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0", "arch": "x86", "accel": "none"},
    )


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


@pytest.fixture
def make_pipeline(tmp_path: Path) -> Callable[..., Artifact]:
    """`make_pipeline(version="v1", rf=b"...", root=None)`: a pipeline artifact from model files under tmp."""
    counter = itertools.count()

    def make(*, root: Path | None = None, **kwargs: Any) -> Artifact:
        return sample_pipeline(root or tmp_path / f"spec{next(counter)}", **kwargs)

    return make


@pytest.fixture
def make_chart() -> Callable[..., Artifact]:
    return sample_chart


@pytest.fixture
def models() -> dict[str, ModelSpec]:
    return sample_models()
