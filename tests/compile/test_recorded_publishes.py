"""Recorded publishes are reused by their inputs, never rebuilt from today's templates (issue 15).

An edgec upgrade that changes the shipped edge chart, or a machine whose zlib compresses differently, must leave
every publish recorded in the deployment lock as it is; only new publishes are built with the current chart.
Run against the local OCI layout and the real docker-registry, with a real bare git remote.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import urllib.request
from pathlib import Path

import git
import pytest

import compiler.assemble.archive as archive
import compiler.resources as resources
from compiler.adapters.oci.layout import LayoutStore
from compiler.adapters.oci.registry import RegistryStore
from compiler.adapters.oci.store import ArtifactStore
from compiler.assemble.artifact_builders import HELM_CHART_MEDIA_TYPE, chart_artifact
from compiler.assemble.render import package_chart
from compiler.cli.main import main
from compiler.compile.stages import build
from tests.compile.conftest import commit_all, configure, edit
from tests.compile.test_compile_integration import remote_log, remote_tree

pytestmark = pytest.mark.integration
EDGE = "houseprice-edge-inline-demonstration"
RECORDED = ("new-pipeline-pub", "new-pub", "pub")
MARKER = b"upgradedBy: a later edgec\n"
V3 = """    - name: v3
      steps:
        - model: gbr-house-price-estimator
"""
V3_PUBLISH = """---
apiVersion: edgec.dev/v1
kind: Publish
metadata:
  name: v3-pub
spec:
  pipeline: edge-inline-replacement-demon
  version: v3
  replaces: [new-pipeline-pub]
  deploymentConfig:
    engine: {cpus: 4, memory: 3Gi}
"""


def compile_json(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["compile", "--root", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def folder_model(root: Path) -> None:
    """`pub`'s model as a folder, so its pipeline layer is a tar+gzip that compression changes."""
    folder = root / "models" / "rf-folder"
    folder.mkdir()
    shutil.copy(root / "models" / "rf_model.onnx", folder / "model.onnx")
    (folder / "config.json").write_text('{"threshold": 0.5}\n')
    edit(root / "specs" / "models.yaml", "artifact: ../models/rf_model.onnx", "artifact: ../models/rf-folder")


@pytest.fixture(params=["layout", "registry"])
def setup(request: pytest.FixtureRequest, spec_root: Path, remote: Path) -> tuple[Path, Path, ArtifactStore]:
    """A spec root with a folder model compiled once (recorded), and the store it pushed to."""
    folder_model(spec_root)
    if request.param == "registry":
        server = request.getfixturevalue("registry")
        configure(spec_root, registry=f"{server.registry}/edge", remote=remote)
        store: ArtifactStore = RegistryStore(f"{server.registry}/edge", insecure=True)
    else:
        configure(spec_root, remote=remote)
        store = LayoutStore(spec_root / ".edgec" / "oci")
    commit_all(spec_root, "folder model")
    return spec_root, remote, store


def upgrade_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an edgec upgrade does to the shipped files: the same schema, an edge chart with one more value."""
    data = tmp_path / "upgraded-edgec"
    for folder in ("schemas", "templates"):
        shutil.copytree(resources.data_dir() / folder, data / folder)
    with open(data / "templates" / "edge-chart" / "values.yaml", "ab") as handle:
        handle.write(MARKER)
    monkeypatch.setattr(resources, "data_dir", lambda: data)


def lock_of(remote: Path) -> dict:
    return json.loads(remote_tree(remote)["edgec.lock.json"])


def chart_values(store: ArtifactStore, repository: str, tag: str) -> bytes:
    """The chart's values.yaml as the store holds it."""
    manifest, blobs = store.fetch(repository, tag)
    layer = next(d for d in json.loads(manifest)["layers"] if d["mediaType"] == HELM_CHART_MEDIA_TYPE)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blobs[layer["digest"]]))) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/values.yaml"))
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read()


def add_v3_publish(root: Path) -> None:
    edit(root / "specs" / "pipelines.yaml", "        - model: xgb-house-price-estimator\n",
         "        - model: xgb-house-price-estimator\n" + V3)
    with open(root / "specs" / "publishes.yaml", "a") as handle:
        handle.write(V3_PUBLISH)
    commit_all(root, "v3")


def test_an_upgraded_chart_leaves_recorded_publishes_and_builds_new_ones_with_it(
        setup: tuple[Path, Path, ArtifactStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root, remote, store = setup
    assert compile_json(root, capsys)[0] == 0
    recorded, tree = lock_of(remote), remote_tree(remote)
    assert all(recorded["publishes"][name]["inputsDigest"].startswith("sha256:") for name in RECORDED)

    upgrade_chart(tmp_path, monkeypatch)
    rebuilt = build(root).artifacts["pub"].chart.digest
    assert rebuilt != recorded["publishes"]["pub"]["chartDigest"]  # today's chart would give other bytes
    code, out = compile_json(root, capsys)
    assert code == 0, out["diagnostics"]
    assert [d for d in out["diagnostics"] if d["severity"] == "error"] == []
    assert all(p["uploaded"] == 0 for p in out["pushed"]) and len(out["pushed"]) == 6  # nothing re-pushed
    assert remote_tree(remote) == tree and len(remote_log(remote)) == 1  # lock and values.yaml byte-identical
    assert MARKER not in chart_values(store, "charts/edge-inline-replacement-demon", "0.0.1-v1")

    add_v3_publish(root)
    code, out = compile_json(root, capsys)
    assert code == 0, out["diagnostics"]
    after = lock_of(remote)
    assert {n: after["publishes"][n] for n in RECORDED} == {n: recorded["publishes"][n] for n in RECORDED}
    for path, data in tree.items():
        if path.startswith("edges/") and not path.startswith(f"edges/{EDGE}/"):
            assert remote_tree(remote)[path] == data
    chart_tgz, chart_yaml = package_chart("edge-inline-replacement-demon", "v3")
    assert after["publishes"]["v3-pub"]["chartDigest"] == chart_artifact(
        "edge-inline-replacement-demon", "v3", chart_tgz, chart_yaml).digest
    assert MARKER in chart_values(store, "charts/edge-inline-replacement-demon", "0.0.1-v3")
    assert MARKER not in chart_values(store, "charts/edge-inline-replacement-demon", "0.0.1-v2")


def test_another_gzip_level_leaves_recorded_publishes(
        setup: tuple[Path, Path, ArtifactStore], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root, remote, _store = setup
    assert compile_json(root, capsys)[0] == 0
    tree = remote_tree(remote)
    recorded = lock_of(remote)["publishes"]["pub"]
    monkeypatch.setattr(archive, "GZIP_LEVEL", 1)  # what zlib-ng (or another machine) does: other bytes
    again = build(root).artifacts["pub"]
    assert (again.pipeline.digest, again.chart.digest) != (recorded["pipelineDigest"], recorded["chartDigest"])
    assert again.inputs is not None and again.inputs.digest == recorded["inputsDigest"]
    code, out = compile_json(root, capsys)
    assert code == 0, out["diagnostics"]
    assert remote_tree(remote) == tree and len(remote_log(remote)) == 1


def test_an_edited_model_file_of_a_recorded_publish_is_still_immutable_changed(
        spec_root: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder_model(spec_root)
    configure(spec_root, remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    upgrade_chart(tmp_path, monkeypatch)  # an upgrade does not hide an edit
    (spec_root / "models" / "rf-folder" / "config.json").write_text('{"threshold": 0.7}\n')
    code, out = compile_json(spec_root, capsys)
    assert code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in out["diagnostics"]] == [
        ("immutable-changed", "specs/publishes.yaml", 5, 9)]
    assert "model 'rf-house-price-estimator' content" in out["diagnostics"][0]["message"]
    assert out["pushed"] == [] and len(remote_log(remote)) == 1


def test_a_spec_change_of_a_recorded_publish_is_immutable_changed(
        spec_root: Path, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    edit(spec_root / "specs" / "models.yaml", "description: estimated price", "description: the price")
    code, out = compile_json(spec_root, capsys)
    assert code == 1
    diagnostics = [(d["code"], d["file"], d["line"], d["column"]) for d in out["diagnostics"]]
    assert diagnostics == [("immutable-changed", "specs/publishes.yaml", 5, 9)]
    assert "its specs" in out["diagnostics"][0]["message"]


def _delete_from_layout(store: LayoutStore, reference: str, *, blob: bool) -> str:
    index = json.loads((store.path / "index.json").read_bytes())
    entry = next(m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == reference)
    index["manifests"].remove(entry)
    (store.path / "index.json").write_text(json.dumps(index))
    if blob:
        (store.path / "blobs" / "sha256" / entry["digest"].removeprefix("sha256:")).unlink()
    return str(entry["digest"])


def _delete_from_registry(store: RegistryStore, url: str, repository: str, tag: str) -> str:
    digest = store.resolve(repository, tag)
    assert digest is not None
    request = urllib.request.Request(f"{url}/v2/edge/{repository}/manifests/{digest}", method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
    return digest


def delete_chart(store: ArtifactStore, request: pytest.FixtureRequest, *, blob: bool = True) -> str:
    repository, tag = "charts/edge-inline-replacement-demon", "0.0.1-v1"
    if isinstance(store, LayoutStore):
        return _delete_from_layout(store, f"{repository}:{tag}", blob=blob)
    assert isinstance(store, RegistryStore)
    return _delete_from_registry(store, request.getfixturevalue("registry").url, repository, tag)


def test_a_store_that_lost_a_recorded_artifact_is_a_coded_error(
        setup: tuple[Path, Path, ArtifactStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    root, remote, store = setup
    assert compile_json(root, capsys)[0] == 0
    tree = remote_tree(remote)
    digest = delete_chart(store, request)
    upgrade_chart(tmp_path, monkeypatch)  # this edgec cannot rebuild the recorded bytes
    add_v3_publish(root)
    code, out = compile_json(root, capsys)
    assert code == 3
    [diagnostic] = [d for d in out["diagnostics"] if d["severity"] == "error"]
    assert diagnostic["code"] == "recorded-artifact-missing"
    assert f"charts/edge-inline-replacement-demon:0.0.1-v1@{digest}" in diagnostic["message"]
    assert "'pub'" in diagnostic["message"]
    assert remote_tree(remote) == tree and len(remote_log(remote)) == 1  # nothing committed


@pytest.mark.parametrize("blob", [False, True], ids=["tag-gone", "manifest-gone"])
def test_a_lost_recorded_artifact_is_restored_when_this_edgec_builds_the_same_bytes(
        spec_root: Path, remote: Path, blob: bool, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the tag gone: tagged again from the manifest the store holds; the manifest gone too: rebuilt, and
    pushed because it gives the recorded digest."""
    configure(spec_root, remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    store = LayoutStore(spec_root / ".edgec" / "oci")
    digest = _delete_from_layout(store, "charts/edge-inline-replacement-demon:0.0.1-v1", blob=blob)
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    assert store.resolve("charts/edge-inline-replacement-demon", "0.0.1-v1") == digest
    assert len(remote_log(remote)) == 1


def test_a_lock_of_an_older_edgec_is_compared_once_then_records_inputs(
        spec_root: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A lock entry without `inputsDigest`: the pipeline artifact is rebuilt and compared, the recorded chart is
    kept even when the chart changed, and the compile records the inputs digest."""
    configure(spec_root, remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    recorded = lock_of(remote)
    legacy = json.loads(json.dumps(recorded))
    for entry in legacy["publishes"].values():
        del entry["inputsDigest"], entry["models"]
    clone = git.Repo.clone_from(remote, tmp_path / "older-edgec")
    (tmp_path / "older-edgec" / "edgec.lock.json").write_text(json.dumps(legacy, indent=2) + "\n")
    clone.git.commit("-am", "edgec: written by an older edgec\n\nEdgec-Version: 0.0.9")
    clone.git.push("origin", "main")

    upgrade_chart(tmp_path, monkeypatch)
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    assert lock_of(remote)["publishes"] == recorded["publishes"]  # same digests, inputs recorded again
    assert len(remote_log(remote)) == 3


def test_a_tag_gone_from_the_registry_is_tagged_again_from_its_manifest(
        spec_root: Path, remote: Path, request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The distribution registry has no API to delete a tag alone: its storage loses the tag, the manifest stays.
    After a chart upgrade nothing can be rebuilt, so the tag must come back from the manifest the registry holds."""
    server = request.getfixturevalue("registry")
    configure(spec_root, registry=f"{server.registry}/edge", remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    store = RegistryStore(f"{server.registry}/edge", insecure=True)
    repository, tag = "charts/edge-inline-replacement-demon", "0.0.1-v1"
    digest = store.resolve(repository, tag)
    tags = server.storage / "docker" / "registry" / "v2" / "repositories" / "edge" / repository / "_manifests" / "tags"
    shutil.rmtree(tags / tag)
    assert store.resolve(repository, tag) is None
    upgrade_chart(tmp_path, monkeypatch)
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    assert [(d["code"], d["severity"]) for d in out["diagnostics"]] == [("drift", "warning")]  # tag-gone, then fixed
    assert store.resolve(repository, tag) == digest and len(remote_log(remote)) == 1
