"""Sample publish artifacts (a pipeline from model files, a chart) for the assemble and OCI adapter tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler.assemble.archive import tar_gz
from compiler.assemble.artifact_builders import chart_artifact, pipeline_artifact
from compiler.assemble.oci_objects import Artifact
from compiler.spec import naming
from compiler.spec.model import DeploymentConfig, ModelSpec, PipelineVersion


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
