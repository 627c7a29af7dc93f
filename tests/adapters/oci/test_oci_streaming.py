"""Blobs stream: a digest and size from one pass, bytes read back in chunks, model layers shared between versions,
the OCI layout index written once per compile, chunked uploads with bounded memory, and oras's folder layout."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from compiler.adapters.oci import layout as layout_module
from compiler.adapters.oci.layout import LayoutStore
from compiler.adapters.oci.registry import RegistryStore
from compiler.adapters.oci.store import ProgressEvent
from compiler.assemble.archive import Member, TarGzStream, tar_gz
from compiler.assemble.artifact_builders import (
    CONTENT_DIGEST_ANNOTATION,
    MODEL_DIRECTORY_MEDIA_TYPE,
    ModelLayers,
    pipeline_artifact,
)
from compiler.assemble.oci_objects import Artifact, Blob, ContentChanged, sha256_digest
from compiler.diagnostics import EdgecError
from compiler.spec.model import DeploymentConfig, PipelineVersion
from tests.assemble.samples import sample_models, write_model_files
from tests.support.registry import RegistryServer

MakePipeline = Callable[..., Artifact]


def test_file_blob_hashes_in_one_pass_and_reads_back_in_chunks(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)
    (tmp_path / "m.bin").write_bytes(data)
    blob = Blob.of_file("x/y", tmp_path / "m.bin")
    assert (blob.digest, blob.size) == (sha256_digest(data), len(data))
    chunks = list(blob.chunks())
    assert len(chunks) == 4 and max(map(len, chunks)) == 1 << 20 and b"".join(chunks) == data
    assert b"".join(blob.chunks(1_000_001)) == data[1_000_001:]
    assert blob == Blob("x/y", data)  # equal by media type, digest, size and annotations, not by source


def test_a_source_that_changed_after_hashing_is_caught_while_reading(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(b"original weights")
    blob = Blob.of_file("x/y", tmp_path / "m.bin")
    (tmp_path / "m.bin").write_bytes(b"replaced weights")
    with pytest.raises(ContentChanged):
        list(blob.chunks())


def test_tar_stream_is_what_tarfile_writes_and_records_the_tar_digest() -> None:
    members = [Member("m/b", b"x" * 1000, 1000), Member("m/a", b"", 0, executable=True)]
    stream = TarGzStream(members)
    first, second = b"".join(stream()), b"".join(stream())
    assert first == second == tar_gz({"m/b": b"x" * 1000, "m/a": b""}, executable=["m/a"])
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, mode in (("m/a", b"", 0o755), ("m/b", b"x" * 1000, 0o644)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uname, info.gname = len(data), mode, "", ""
            tar.addfile(info, io.BytesIO(data))
    assert stream.tar_digest == sha256_digest(raw.getvalue())
    assert b"".join(TarGzStream(members, level=1)()) != first  # compression is part of the bytes


def _version(name: str) -> PipelineVersion:
    return PipelineVersion.model_validate({"name": name, "steps": [{"model": "rf"}, {"model": "tok"}]})


def test_versions_sharing_a_model_share_one_layer_and_hold_no_copy(tmp_path: Path, monkeypatch: Any) -> None:
    paths = write_model_files(tmp_path, rf=os.urandom(1 << 20))
    reads: list[Path] = []
    real_open = open

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "b" in mode and Path(file) == paths["rf"]:
            reads.append(Path(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    layers = ModelLayers()
    arts = [pipeline_artifact("demo", _version(f"v{i}"), sample_models(), paths,
                              DeploymentConfig.model_validate({}), engine={}, layers=layers) for i in range(100)]
    assert len(reads) == 1  # one hashing pass for 100 versions
    assert len({id(art.layers[0]) for art in arts}) == 1
    assert not isinstance(getattr(arts[0].layers[0].content, "data", None), bytes)  # streams from the file


def test_a_model_folder_is_packed_as_oras_packs_it(tmp_path: Path) -> None:
    paths = write_model_files(tmp_path)
    art = pipeline_artifact("demo", _version("v1"), sample_models(), paths, DeploymentConfig.model_validate({}),
                            engine={})
    folder = art.layers[1]
    assert folder.media_type == MODEL_DIRECTORY_MEDIA_TYPE == "application/vnd.oci.image.layer.v1.tar+gzip"
    assert folder.annotations["org.opencontainers.image.title"] == "tok"
    assert folder.annotations["io.deis.oras.content.unpack"] == "true"
    with tarfile.open(fileobj=io.BytesIO(folder.data), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == ["tok/sub/weights.bin", "tok/vocab.txt"]
    raw = io.BytesIO(gzip.decompress(folder.data))
    assert folder.annotations[CONTENT_DIGEST_ANNOTATION] == sha256_digest(raw.getvalue())
    assert CONTENT_DIGEST_ANNOTATION not in art.layers[0].annotations  # a file layer: its blob digest is its content


def test_layout_writes_its_index_once_per_compile(tmp_path: Path, make_pipeline: MakePipeline,
                                                  make_chart: Callable[..., Artifact], monkeypatch: Any) -> None:
    written: list[str] = []
    real = layout_module.atomic_write

    def spy(path: Path, data: bytes) -> None:
        written.append(path.name)
        real(path, data)

    monkeypatch.setattr(layout_module, "atomic_write", spy)
    store = LayoutStore(tmp_path / "oci")
    arts = [make_pipeline(version=f"v{i}") for i in range(5)] + [make_chart()]
    results = store.push_all(arts)
    assert [r.digest for r in results] == [a.digest for a in arts]
    assert written.count("index.json") == 1
    assert [store.resolve(a.repository, a.tag) for a in arts] == [a.digest for a in arts]
    written.clear()
    assert all(r.uploaded == 0 for r in store.push_all(arts))
    assert "index.json" not in written  # nothing new: the index is left alone


@pytest.mark.integration
def test_chunked_upload_reports_bytes_and_round_trips(registry_server: RegistryServer,
                                                      make_pipeline: MakePipeline) -> None:
    big = os.urandom(5 << 20)
    events: list[ProgressEvent] = []
    store = RegistryStore(registry_server.registry, insecure=True, chunk_size=1 << 20, progress=events.append)
    art = make_pipeline(rf=big)
    assert store.push(art).uploaded == 3
    progress = [e.done for e in events if e.kind == "blob-progress"]
    assert progress == [(i + 1) << 20 for i in range(5)]
    assert store.fetch(art.repository, art.tag)[1][art.layers[0].digest] == big


@pytest.mark.integration
def test_oras_pull_restores_the_model_folder(registry_server: RegistryServer, make_pipeline: MakePipeline,
                                             tmp_path: Path, monkeypatch: Any) -> None:
    oras_client = pytest.importorskip("oras.client")
    art = make_pipeline()
    RegistryStore(registry_server.registry, insecure=True).push(art)
    out = tmp_path / "pulled"
    out.mkdir()
    monkeypatch.chdir(out)
    client = oras_client.OrasClient(hostname=registry_server.registry, insecure=True)
    client.pull(target=f"{registry_server.registry}/{art.repository}:{art.tag}", outdir=str(out))
    source = tmp_path / "spec0" / "models"
    assert (out / "tok" / "vocab.txt").read_bytes() == (source / "tok" / "vocab.txt").read_bytes()
    assert (out / "tok" / "sub" / "weights.bin").read_bytes() == (source / "tok" / "sub" / "weights.bin").read_bytes()
    assert (out / "rf" / "rf.onnx").read_bytes() == (source / "rf.onnx").read_bytes()


def test_a_model_edited_during_a_push_is_an_io_error(tmp_path: Path, make_pipeline: MakePipeline) -> None:
    art = make_pipeline(root=tmp_path / "spec")
    (tmp_path / "spec" / "models" / "rf.onnx").write_bytes(b"edited after hashing")
    with pytest.raises(EdgecError) as err:
        LayoutStore(tmp_path / "oci").push(art)
    assert err.value.diagnostic.code == "io-error" and "changed" in err.value.diagnostic.message
    blobs = [p for p in (tmp_path / "oci").rglob("*") if p.is_file() and p.parent.name == "sha256"]
    assert all(sha256_digest(p.read_bytes()) == f"sha256:{p.name}" for p in blobs)  # nothing half-written
    assert not list((tmp_path / "oci").rglob("*.tmp")) and not (tmp_path / "oci" / "index.json").exists()
