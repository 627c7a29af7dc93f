"""`edgec compile` against a real docker-registry and a real bare git remote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest
from ruamel.yaml import YAML

from compiler.adapters.oci.registry import RegistryStore
from compiler.adapters.oci.store import PushResult
from compiler.assemble.oci_objects import Artifact
from compiler.cli.main import main
from compiler.compile.compose import Adapters, deploy_repository
from compiler.load.spec_set import Specs
from tests.compile.conftest import REPO, commit_all, configure, edit
from tests.support.registry import RegistryServer

pytestmark = pytest.mark.integration
EDGE = "houseprice-edge-inline-demonstration"


def compile_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["compile", "--root", str(root), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def remote_log(remote: Path) -> list[git.Commit]:
    repo = git.Repo(remote)
    return list(repo.iter_commits("main")) if repo.heads else []


def remote_tree(remote: Path) -> dict[str, bytes]:
    commit = git.Repo(remote).heads.main.commit
    return {blob.path: blob.data_stream.read() for blob in commit.tree.traverse() if blob.type == "blob"}


def test_first_compile_pushes_pins_and_commits(spec_root: Path, remote: Path, registry: RegistryServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    head = commit_all(spec_root, "point at the test registry")
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    prefix = f"{registry.registry}/edge/"
    assert sorted(p["reference"].removeprefix(prefix) for p in out["pushed"]) == [
        "charts/edge-inline-replacement-demon:0.0.1-v1", "charts/edge-inline-replacement-demon:0.0.1-v2",
        "charts/new-edge-inline-replacement:0.0.1-v1", "pipelines/edge-inline-replacement-demon:v1",
        "pipelines/edge-inline-replacement-demon:v2", "pipelines/new-edge-inline-replacement:v1"]
    commits = remote_log(remote)
    assert len(commits) == 1
    message = commits[0].message
    assert f"Source-Commit: {head}\n" in message and "Edgec-Version: 0.1.0" in message
    tree = remote_tree(remote)
    values = YAML(typ="safe").load(tree[f"edges/{EDGE}/values.yaml"])
    store = RegistryStore(f"{registry.registry}/edge", insecure=True)
    digest = store.resolve("pipelines/new-edge-inline-replacement", "v1")
    assert values["engine"]["pipelineUrl"] == f"{registry.registry}/edge/pipelines/new-edge-inline-replacement@{digest}"
    lock = json.loads(tree["edgec.lock.json"])
    assert lock["publishes"]["new-pipeline-pub"]["pipelineDigest"] == digest
    assert lock["publishes"]["new-pipeline-pub"]["chartDigest"] == store.resolve(
        "charts/new-edge-inline-replacement", "0.0.1-v1")

    # a second compile with no change pushes nothing new and commits nothing
    code, out = compile_json(spec_root, capsys)
    assert code == 0 and out["commit"]["sha"] is None
    assert sum(p["uploaded"] for p in out["pushed"]) == 0
    assert len(remote_log(remote)) == 1


def test_changes_move_files_and_removed_edges_disappear(spec_root: Path, remote: Path, registry: RegistryServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    # dropping the pipeline-transfer: the edge now ends on new-pub (edge-inline-replacement-demon v2)
    edit(spec_root / "specs" / "publishes.yaml", "  replaces: [new-pub]\n", "")
    code, out = compile_json(spec_root, capsys)
    assert code == 0
    assert out["changes"]["edgesMoved"] == [{"edge": EDGE, "from": "new-pipeline-pub", "to": "new-pub"}]
    commits = remote_log(remote)
    assert len(commits) == 2 and commits[0].message.startswith("edgec: 1 edge moved, 0 publishes added")
    values = YAML(typ="safe").load(remote_tree(remote)[f"edges/{EDGE}/values.yaml"])
    assert values["podAnnotations"]["edgec.dev/publish"] == "new-pub"
    assert "/pipelines/edge-inline-replacement-demon@sha256:" in values["engine"]["pipelineUrl"]

    (spec_root / "specs" / "edges.yaml").unlink()
    code, out = compile_json(spec_root, capsys)
    assert code == 0 and out["changes"]["edgesRemoved"] == [EDGE]
    assert not any(path.startswith("edges/") for path in remote_tree(remote))
    assert len(remote_log(remote)) == 3


def test_registry_down_mid_compile_commits_nothing_then_rerun_completes(
        spec_root: Path, remote: Path, registry: RegistryServer, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    calls = []

    class StoppingStore:
        """The real registry store, no retry waits; the registry dies before the third push."""

        def __init__(self, specs: Specs) -> None:
            self.inner = RegistryStore(f"{registry.registry}/edge", insecure=True, sleep=lambda _s: None)

        def push(self, artifact: Artifact) -> PushResult:
            calls.append(artifact.reference)
            if len(calls) == 3:
                registry.stop()
            return self.inner.push(artifact)

        def push_all(self, artifacts: list[Artifact]) -> list[PushResult]:
            return [self.push(artifact) for artifact in artifacts]

    adapters = Adapters(store=StoppingStore, deploy=deploy_repository)
    code = main(["compile", "--root", str(spec_root), "--format", "json"], adapters=adapters)
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and len(calls) == 3
    assert [d["code"] for d in out["diagnostics"]] == ["registry-unreachable"]
    assert registry.registry in out["diagnostics"][0]["message"]
    assert remote_log(remote) == []  # nothing committed anywhere

    registry.start()
    code, out = compile_json(spec_root, capsys)
    assert code == 0 and out["commit"]["sha"]
    assert len(remote_log(remote)) == 1


def test_changing_a_published_version_is_refused(spec_root: Path, remote: Path, registry: RegistryServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    assert compile_json(spec_root, capsys)[0] == 0
    store = RegistryStore(f"{registry.registry}/edge", insecure=True)
    before = store.resolve("pipelines/edge-inline-replacement-demon", "v1")
    (spec_root / "models" / "rf_model.onnx").write_bytes(b"retrained weights under the same version\n")
    code, out = compile_json(spec_root, capsys)
    assert code == 1
    assert [(d["code"], d["file"]) for d in out["diagnostics"]] == [("immutable-changed", "specs/publishes.yaml")]
    assert out["pushed"] == [] and len(remote_log(remote)) == 1
    assert store.resolve("pipelines/edge-inline-replacement-demon", "v1") == before


def test_breaking_change_fails_until_acknowledged(spec_root: Path, remote: Path, registry: RegistryServer,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    models = spec_root / "specs" / "models.yaml"
    text = models.read_text()
    xgb = text.index("name: xgb-house-price-estimator")
    start = text.index("    - name: variable\n      type: float32", xgb)
    models.write_text(text[:start] + text[start:].replace("type: float32", "type: int64", 1))
    code, out = compile_json(spec_root, capsys)
    assert code == 1 and out["pushed"] == [] and remote_log(remote) == []
    found = [(d["code"], d["file"], d["line"], d["column"]) for d in out["diagnostics"]]
    assert found == [("assay-impact", "specs/assays.yaml", 9, 11),  # rf-price-drift watches out.variable
                     ("breaking-change", "specs/publishes.yaml", 21, 14),   # new-pub: replaces: [pub]
                     ("breaking-change", "specs/publishes.yaml", 35, 14)]   # new-pipeline-pub: replaces: [new-pub]
    breaking = [d for d in out["diagnostics"] if d["code"] == "breaking-change"]
    assert "TYPE_CHANGED out.variable (float32 -> int64)" in breaking[0]["message"]
    assert breaking[0]["hint"].endswith(
        "`acknowledge: [{rule: TYPE_CHANGED, field: out.variable}]` on publish 'new-pub'")
    assert "TYPE_WIDENED_LOSSY out.variable (int64 -> float32)" in breaking[1]["message"]

    publishes = spec_root / "specs" / "publishes.yaml"
    edit(publishes, "  replaces: [pub]\n",
         "  replaces: [pub]\n  acknowledge: [{rule: TYPE_CHANGED, field: out.variable}]\n")
    edit(publishes, "  replaces: [new-pub]\n",
         "  replaces: [new-pub]\n  acknowledge: [{rule: TYPE_WIDENED_LOSSY, field: out.variable}]\n")
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    findings = {r["publish"]: r["findings"] for r in out["plan"]["replacements"]}
    assert [(f["rule"], f["acknowledged"], f["fails"]) for f in findings["new-pub"]] == [
        ("TYPE_CHANGED", True, False)]


def test_two_compiles_racing_on_one_remote(tmp_path: Path, spec_root: Path, remote: Path,
                                           registry: RegistryServer) -> None:
    """Two spec repos (different edge sets) compile at once: both land in history, or one fails cleanly."""
    import shutil

    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    other = tmp_path / "other"
    shutil.copytree(spec_root, other, ignore=shutil.ignore_patterns(".edgec"))
    edit(other / "specs" / "edges.yaml", f"name: {EDGE}", "name: second-store")
    command = [sys.executable, "-m", "compiler", "compile", "--format", "json", "--root"]
    procs = [subprocess.Popen([*command, str(root)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for root in (spec_root, other)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for code, stdout, stderr in results:
        assert "Traceback" not in stdout + stderr
        assert code == 0 or (code == 3 and '"git-failed"' in stdout), (code, stdout, stderr)
    landed = [json.loads(stdout)["commit"]["sha"] for code, stdout, _ in results if code == 0]
    history = {c.hexsha for c in remote_log(remote)}
    assert set(landed) <= history and len(history) == len(landed)
    subprocess.run(["git", "fsck", "--strict"], cwd=remote, check=True, capture_output=True)


def test_registry_refusing_credentials_is_exit_3_and_commits_nothing(
        spec_root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with RegistryServer(tmp_path / "auth-registry", users={"robot": "right-password"}) as server:
        configure(spec_root, registry=f"{server.registry}/edge", remote=remote)
        monkeypatch.setenv("EDGEC_REGISTRY_USERNAME", "robot")
        monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", "wrong-password")
        code, out = compile_json(spec_root, capsys)
        assert code == 3 and [d["code"] for d in out["diagnostics"]] == ["registry-auth"]
        assert "wrong-password" not in json.dumps(out)
        assert remote_log(remote) == []
        monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", "right-password")
        code, out = compile_json(spec_root, capsys)
        assert code == 0 and out["commit"]["sha"]
        assert "right-password" not in json.dumps(out)
        assert not any(b"right-password" in data for data in remote_tree(remote).values())


def test_unreachable_deployment_remote_fails_before_anything_is_pushed(
        spec_root: Path, tmp_path: Path, registry: RegistryServer, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=tmp_path / "no-such-remote.git")
    code = main(["compile", "--root", str(spec_root)])
    captured = capsys.readouterr()
    assert code == 3 and "error[git-failed]" in captured.err and "Traceback" not in captured.err
    assert RegistryStore(f"{registry.registry}/edge", insecure=True).resolve(
        "pipelines/edge-inline-replacement-demon", "v1") is None


def test_hostile_strings_in_tags_and_values_cannot_change_structure(
        spec_root: Path, remote: Path, registry: RegistryServer, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    hostile = ["a\nreplicas: 99", "{{ .Values.secret }}", "*alias", "&anchor x", "--- !!python/object", "key: value"]
    edges = spec_root / "specs" / "edges.yaml"
    quoted = ", ".join(json.dumps(h) for h in hostile)
    edit(edges, "  tags: []", f"  tags: [{quoted}]\n  values:\n    podAnnotations: {{evil: {json.dumps(hostile[0])}}}")
    code, out = compile_json(spec_root, capsys)
    assert code == 0, out["diagnostics"]
    tree = remote_tree(remote)
    values = YAML(typ="safe").load(tree[f"edges/{EDGE}/values.yaml"])
    assert values["replicas"] == 1 and values["podAnnotations"]["evil"] == hostile[0]
    for name in ("application.yaml", "helmrelease.yaml"):
        for document in YAML(typ="safe").load_all(tree[f"edges/{EDGE}/{name}"]):
            assert "99" not in json.dumps(document.get("spec", {}).get("replicas", ""))
