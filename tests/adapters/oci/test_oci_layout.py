"""LayoutStore: a deterministic local OCI image layout with the same contract as a registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.adapters.oci.layout import REF_NAME, LayoutStore
from compiler.assemble.oci_objects import Artifact, sha256_digest
from compiler.diagnostics import EdgecError

MakePipeline = Callable[..., Artifact]


def test_push_writes_a_valid_layout(tmp_path: Path, make_pipeline: MakePipeline,
                                    make_chart: Callable[..., Artifact]) -> None:
    layout = tmp_path / "oci"
    store = LayoutStore(layout)
    pipeline, chart = make_pipeline(), make_chart()
    result = store.push(pipeline)
    assert (result.reference, result.digest, result.uploaded, result.skipped) == (
        "pipelines/demo:v1", pipeline.digest, 3, 0)
    store.push(chart)

    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    assert [m["annotations"][REF_NAME] for m in index["manifests"]] == ["charts/demo:0.0.1-v1", "pipelines/demo:v1"]
    assert index["manifests"][1]["artifactType"] == pipeline.artifact_type
    for digest, data in [(pipeline.digest, pipeline.manifest_bytes())] + [(b.digest, b.data) for b in pipeline.blobs()]:
        stored = (layout / "blobs" / "sha256" / digest.removeprefix("sha256:")).read_bytes()
        assert stored == data and sha256_digest(stored) == digest
    assert not list(layout.rglob("*.tmp"))

    assert store.resolve("pipelines/demo", "v1") == pipeline.digest
    assert store.resolve("pipelines/demo", "v2") is None
    manifest, blobs = store.fetch("pipelines/demo", "v1")
    assert manifest == pipeline.manifest_bytes() and set(blobs) == {b.digest for b in pipeline.blobs()}
    assert store.fetch("charts/demo", chart.digest)[0] == chart.manifest_bytes()


def test_repush_is_idempotent_and_byte_identical(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    store = LayoutStore(tmp_path / "oci")
    art = make_pipeline()
    store.push(art)
    before = (tmp_path / "oci" / "index.json").read_bytes()
    again = store.push(art)
    assert (again.uploaded, again.skipped) == (0, 3)
    assert (tmp_path / "oci" / "index.json").read_bytes() == before


def test_same_pushes_in_any_order_give_identical_index(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    arts = [make_pipeline(version=v) for v in ("v1", "v2", "v3")]
    for name, order in (("a", arts), ("b", arts[::-1])):
        store = LayoutStore(tmp_path / name)
        for art in order:
            store.push(art)
    assert (tmp_path / "a" / "index.json").read_bytes() == (tmp_path / "b" / "index.json").read_bytes()


def test_published_tag_is_immutable(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    store = LayoutStore(tmp_path / "oci")
    store.push(make_pipeline())
    with pytest.raises(EdgecError) as err:
        store.push(make_pipeline(rf=b"new weights"))
    assert err.value.diagnostic.code == "immutable-changed"


def test_corruption_is_detected_on_fetch(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    store = LayoutStore(tmp_path / "oci")
    art = make_pipeline()
    store.push(art)
    victim = tmp_path / "oci" / "blobs" / "sha256" / art.layers[0].digest.removeprefix("sha256:")
    victim.write_bytes(b"tampered")
    with pytest.raises(EdgecError) as err:
        store.fetch("pipelines/demo", "v1")
    assert err.value.diagnostic.code == "io-error" and "verification" in err.value.diagnostic.message
    victim.unlink()
    with pytest.raises(EdgecError, match=r"incomplete|No such file"):
        store.fetch("pipelines/demo", "v1")


def test_unwritable_layout_is_io_error(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(EdgecError) as err:
        LayoutStore(tmp_path / "file" / "oci").push(make_pipeline())
    assert err.value.diagnostic.code == "io-error"


def test_progress_printer_writes_to_its_stream(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    import io

    from compiler.report.progress import TtyProgress, human_size

    stream = io.StringIO()
    LayoutStore(tmp_path / "oci", progress=TtyProgress(stream)).push(make_pipeline())
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and lines[0].startswith("pipelines/demo:v1: blob 1/3 ")
    assert lines[-1].startswith("pipelines/demo:v1: tagged sha256:")
    assert human_size(999) == "999 B" and human_size(1_500_000) == "1.5 MB" and human_size(1000) == "1.0 kB"
    assert human_size(2_000_000_000) == "2.0 GB" and human_size(5 * 10**12) == "5000.0 GB"
