"""Artifacts are content addressed: identical content gives identical digests, on any machine, any time."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.assemble.artifact_builders import (
    HELM_CHART_MEDIA_TYPE,
    HELM_CONFIG_MEDIA_TYPE,
    MODEL_DIRECTORY_MEDIA_TYPE,
    MODEL_FILE_MEDIA_TYPE,
    PIPELINE_ARTIFACT_TYPE,
    PIPELINE_CONFIG_MEDIA_TYPE,
    REVISION,
    pipeline_artifact,
)
from compiler.assemble.oci_objects import MANIFEST_MEDIA_TYPE, Artifact, Blob, canonical_json, sha256_digest
from compiler.diagnostics import EdgecError
from compiler.spec.model import DeploymentConfig, ModelSpec, PipelineVersion

MakePipeline = Callable[..., Artifact]


def test_blob_digest_and_descriptor() -> None:
    blob = Blob("text/plain", b"hello", {"b": "2", "a": "1"})
    assert blob.digest == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert blob.descriptor() == {"mediaType": "text/plain", "digest": blob.digest, "size": 5,
                                 "annotations": {"a": "1", "b": "2"}}
    assert "annotations" not in Blob("text/plain", b"").descriptor()
    with pytest.raises(TypeError):
        blob.annotations["c"] = "3"  # type: ignore[index]


def test_manifest_is_canonical_oci_1_1() -> None:
    art = Artifact("pipelines/p", "v1", "application/x.test", Blob("application/x.cfg", b"{}"),
                   (Blob("application/x.l", b"1"),), {"k": "v"})
    raw = art.manifest_bytes()
    assert raw == canonical_json(json.loads(raw))
    assert b" " not in raw and b"\n" not in raw
    manifest = json.loads(raw)
    assert manifest["schemaVersion"] == 2 and manifest["mediaType"] == MANIFEST_MEDIA_TYPE
    assert manifest["artifactType"] == "application/x.test"
    assert art.digest == sha256_digest(raw)
    assert "artifactType" not in Artifact("a/b", "t", None, art.config, art.layers).manifest()


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=6))
def test_annotation_order_never_changes_the_digest(annotations: dict[str, str]) -> None:
    config = Blob("application/x.cfg", b"{}")
    forward = Artifact("r/x", "t", None, config, (), annotations)
    backward = Artifact("r/x", "t", None, config, (), dict(reversed(list(annotations.items()))))
    assert forward.digest == backward.digest


@pytest.mark.parametrize("repository,tag", [("Upper/case", "v1"), ("a//b", "v1"), ("ok/name", "bad tag"),
                                            ("ok/name", "-lead")])
def test_invalid_names_are_refused(repository: str, tag: str) -> None:
    with pytest.raises(ValueError):
        Artifact(repository, tag, None, Blob("x/y", b""), ())


def test_blobs_are_deduplicated() -> None:
    same = Blob("x/y", b"same")
    art = Artifact("r/x", "t", None, Blob("x/c", b"{}"), (same, Blob("x/z", b"same")))
    assert [b.media_type for b in art.blobs()] == ["x/c", "x/y"]


# ------------------------------------------------------------------------------------------ pipeline
def test_pipeline_artifact_layout(make_pipeline: MakePipeline) -> None:
    art = make_pipeline()
    assert art.repository == "pipelines/demo" and art.tag == "v1"
    assert art.artifact_type == PIPELINE_ARTIFACT_TYPE
    assert art.config.media_type == PIPELINE_CONFIG_MEDIA_TYPE
    assert [layer.media_type for layer in art.layers] == [MODEL_FILE_MEDIA_TYPE, MODEL_DIRECTORY_MEDIA_TYPE]
    config = json.loads(art.config.data)
    assert [m["name"] for m in config["models"]] == ["rf", "tok"]
    assert [m["layer"]["digest"] for m in config["models"]] == [layer.digest for layer in art.layers]
    assert config["inputSchema"][0]["name"] == "tensor" and config["outputSchema"][0]["name"] == "label"
    assert config["engine"]["arch"] == "x86" and config["deploymentConfig"]["engine"]["cpus"] == 2
    assert "artifact" not in config["models"][0]  # the spec's path is not content
    assert art.annotations[REVISION] == art.config.digest
    assert art.layers[0].annotations["org.opencontainers.image.title"] == "rf/rf.onnx"


def test_identical_inputs_in_other_folders_at_other_times_give_identical_digests(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    first = make_pipeline(root=tmp_path / "one")
    second_root = tmp_path / "elsewhere" / "two"
    second_root.mkdir(parents=True)
    second = make_pipeline(root=second_root)
    for path in second_root.rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))  # other mtimes must not matter either
    aged = make_pipeline(root=second_root)
    assert first.digest == second.digest == aged.digest
    assert first.manifest_bytes() == aged.manifest_bytes()


def test_content_changes_change_digest_and_revision(make_pipeline: MakePipeline) -> None:
    base, changed = make_pipeline(), make_pipeline(rf=b"onnx-bytes-v2")
    assert base.digest != changed.digest
    assert base.annotations[REVISION] != changed.annotations[REVISION]


def test_only_models_of_the_steps_are_packed_once(make_pipeline: MakePipeline) -> None:
    art = make_pipeline(steps=("rf", "rf"))
    assert len(art.layers) == 1


def test_missing_model_file_is_artifact_missing(tmp_path: Path, models: dict[str, ModelSpec]) -> None:
    with pytest.raises(EdgecError) as err:
        pipeline_artifact("demo", PipelineVersion(name="v1", steps=[{"model": "rf"}]), models,
                          {"rf": tmp_path / "nope.onnx"}, DeploymentConfig(), engine={})
    assert err.value.diagnostic.code == "artifact-missing"


# ------------------------------------------------------------------------------------------ chart
def test_chart_artifact_uses_helm_media_types(make_chart: Callable[..., Artifact]) -> None:
    art = make_chart("demo", "v2")
    assert art.repository == "charts/demo" and art.tag == "0.0.1-v2"
    assert art.config.media_type == HELM_CONFIG_MEDIA_TYPE
    assert json.loads(art.config.data)["version"] == "0.0.1-v2"
    assert [layer.media_type for layer in art.layers] == [HELM_CHART_MEDIA_TYPE]
    assert "org.opencontainers.image.created" not in art.annotations
    assert art.digest == make_chart("demo", "v2").digest
