"""Drift (SPEC section 8) through the CLI: a hand commit in a real bare remote, tags moved or deleted in the real
docker-registry; `plan` reports, `compile` restores files and refuses to push over a moved tag."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import git
import pytest

from compiler.adapters.oci.registry import RegistryStore
from compiler.assemble.oci_objects import sha256_digest
from compiler.cli.main import main
from tests.adapters.deploy.gitutil import push_files
from tests.compile.conftest import commit_all, configure
from tests.support.registry import RegistryServer

pytestmark = pytest.mark.integration
EDGE = "houseprice-edge-inline-demonstration"
VALUES = f"edges/{EDGE}/values.yaml"
APP = f"edges/{EDGE}/application.yaml"
EXTRA = f"edges/{EDGE}/hotfix.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def remote_tree(remote: Path) -> dict[str, bytes]:
    commit = git.Repo(remote).heads.main.commit
    return {blob.path: blob.data_stream.read() for blob in commit.tree.traverse() if blob.type == "blob"}


def hand_commit(remote: Path, work: Path) -> git.Commit:
    """Edit values.yaml, delete application.yaml, add a file under edges/, as a colleague's hot fix would."""
    clone_dir = work / "colleague"
    with git.Repo.clone_from(str(remote), clone_dir) as clone:
        (clone_dir / VALUES).write_bytes((clone_dir / VALUES).read_bytes() + b"# hot fix\n")
        (clone_dir / APP).unlink()
        (clone_dir / EXTRA).write_text("extra: true\n")
        clone.git.add("-A")
        clone.git.commit("-q", "-m", "hot fix on the edge")
        clone.git.push("-q", "origin", "HEAD:main")
        return clone.head.commit


def test_hand_commit_is_drift_that_plan_reports_and_compile_restores(
        spec_root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    source = commit_all(spec_root, "deploy to a remote")
    root = ["--root", str(spec_root)]
    assert run(capsys, "compile", *root)[0] == 0
    compiled = remote_tree(remote)
    hot = hand_commit(remote, tmp_path)
    sha, when = hot.hexsha, hot.authored_datetime.isoformat()
    by = f'commit {sha[:12]} by Test Person <test@example.invalid>, {when}: "hot fix on the edge"'

    code, out = run(capsys, "plan", *root, "--format", "json", "--detailed-exitcode")
    assert code == 2
    drift = json.loads(out)["drift"]
    commit = {"sha": sha, "author": "Test Person <test@example.invalid>", "date": when,
              "subject": "hot fix on the edge"}
    assert drift == [
        {"kind": "added", "file": EXTRA, "commit": commit, "expected": None,
         "actual": sha256_digest(b"extra: true\n")},
        {"kind": "deleted", "file": APP, "commit": commit, "expected": sha256_digest(compiled[APP]),
         "actual": None},
        {"kind": "edited", "file": VALUES, "commit": commit, "expected": sha256_digest(compiled[VALUES]),
         "actual": sha256_digest(compiled[VALUES] + b"# hot fix\n")},
    ]
    code, out = run(capsys, "plan", *root)
    assert code == 0
    assert f"warning[drift] {VALUES} in the deployment repository was edited outside edgec in {by}" in out
    assert f"warning[drift] {APP} in the deployment repository was deleted outside edgec in {by}" in out
    assert f"warning[drift] {EXTRA} in the deployment repository was added outside edgec in {by}" in out
    assert "edgec compile writes it back from the specs" in out
    code, out = run(capsys, "plan", *root, "--offline", "--format", "json")
    assert code == 0 and "drift" not in json.loads(out)

    code, out = run(capsys, "compile", *root, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert sorted(result["commit"]["files"]) == [APP, EXTRA, VALUES]
    assert [d["code"] for d in result["diagnostics"]] == ["drift"] * 3
    assert remote_tree(remote) == compiled  # restored byte for byte, the hand-made file removed
    message = git.Repo(remote).heads.main.commit.message
    assert message.splitlines()[0] == "edgec: 0 edges moved, 0 publishes added, 3 files restored"
    assert ("Changed outside edgec and put back:\n"
            f"- removed {EXTRA} (added in {sha[:12]} by Test Person <test@example.invalid>)\n"
            f"- restored {APP} (deleted in {sha[:12]} by Test Person <test@example.invalid>)\n"
            f"- restored {VALUES} (edited in {sha[:12]} by Test Person <test@example.invalid>)\n") in message
    assert message.endswith(f"Source-Commit: {source}\nEdgec-Version: 0.1.0\n")
    assert run(capsys, "plan", *root, "--detailed-exitcode")[0] == 0


def test_hand_edited_lock_is_drift(spec_root: Path, remote: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    commit_all(spec_root, "deploy to a remote")
    assert run(capsys, "compile", "--root", str(spec_root))[0] == 0
    lock = json.loads(remote_tree(remote)["edgec.lock.json"])
    lock["note"] = "reviewed"
    push_files(remote, {"edgec.lock.json": json.dumps(lock).encode()}, work=tmp_path, message="annotate the lock")
    code, out = run(capsys, "plan", "--root", str(spec_root), "--format", "json", "--detailed-exitcode")
    assert code == 2
    assert [(d["kind"], d["file"], d["commit"]["subject"]) for d in json.loads(out)["drift"]] == [
        ("edited", "edgec.lock.json", "annotate the lock")]


def test_a_lock_with_file_hashes_of_an_earlier_edgec_still_reads_and_the_next_compile_drops_them(
        spec_root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    commit_all(spec_root, "deploy to a remote")
    assert run(capsys, "compile", "--root", str(spec_root))[0] == 0
    tree = remote_tree(remote)
    lock = json.loads(tree["edgec.lock.json"])
    assert "files" not in lock  # drift is read from git, not from a list of hashes
    lock["files"] = {path: sha256_digest(data) for path, data in sorted(tree.items()) if path != "edgec.lock.json"}
    old = json.dumps(lock, indent=2, sort_keys=True).encode() + b"\n"
    push_files(remote, {"edgec.lock.json": old}, work=tmp_path,
               message="edgec: an earlier release\n\nEdgec-Version: 0.0.9")
    code, out = run(capsys, "plan", "--root", str(spec_root), "--format", "json", "--detailed-exitcode")
    assert code == 0 and json.loads(out)["drift"] == []
    assert run(capsys, "compile", "--root", str(spec_root))[0] == 0
    assert remote_tree(remote) == tree


# ------------------------------------------------------------------------------------------------ registry
def _manifest(registry: RegistryServer, name: str, reference: str) -> tuple[bytes, str]:
    request = urllib.request.Request(f"{registry.url}/v2/edge/{name}/manifests/{reference}", headers={
        "Accept": "application/vnd.oci.image.manifest.v1+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), response.headers["Docker-Content-Digest"]


def _put_manifest(registry: RegistryServer, name: str, tag: str, body: bytes) -> None:
    request = urllib.request.Request(f"{registry.url}/v2/edge/{name}/manifests/{tag}", data=body, method="PUT",
                                     headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(request, timeout=10).close()


def _delete(registry: RegistryServer, name: str, digest: str) -> None:
    request = urllib.request.Request(f"{registry.url}/v2/edge/{name}/manifests/{digest}", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()


def test_moved_and_deleted_tags_in_the_registry(spec_root: Path, remote: Path, registry: RegistryServer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, registry=f"{registry.registry}/edge", remote=remote)
    commit_all(spec_root, "point at the test registry")
    root = ["--root", str(spec_root)]
    assert run(capsys, "compile", *root)[0] == 0
    head = git.Repo(remote).heads.main.commit.hexsha
    moved_name, gone_name = "pipelines/edge-inline-replacement-demon", "pipelines/new-edge-inline-replacement"
    v1, v1_digest = _manifest(registry, moved_name, "v1")
    v2, v2_digest = _manifest(registry, moved_name, "v2")
    _put_manifest(registry, moved_name, "v1", v2)  # re-push tag v1 with other content
    _, gone_digest = _manifest(registry, gone_name, "v1")
    _delete(registry, gone_name, gone_digest)
    store = f"registry {registry.registry}/edge"

    code, out = run(capsys, "plan", *root, "--format", "json", "--detailed-exitcode")
    assert code == 2
    assert json.loads(out)["drift"] == [  # by publish name
        {"kind": "tag-gone", "reference": f"{gone_name}:v1", "publish": "new-pipeline-pub", "store": store,
         "expected": gone_digest, "actual": None},
        {"kind": "tag-moved", "reference": f"{moved_name}:v1", "publish": "pub", "store": store,
         "expected": v1_digest, "actual": v2_digest},
    ]
    code, out = run(capsys, "plan", *root)
    assert code == 0
    assert (f"warning[drift] tag {moved_name}:v1 of publish 'pub' in {store} points to {v2_digest}, "
            f"not the recorded {v1_digest}") in out
    assert f"warning[drift] tag {gone_name}:v1 of publish 'new-pipeline-pub' is gone from {store}" in out
    code, out = run(capsys, "plan", *root, "--offline", "--format", "json")
    assert code == 0 and "drift" not in json.loads(out)

    code, out = run(capsys, "compile", *root, "--format", "json")
    assert code == 1
    result = json.loads(out)
    refused = [d for d in result["diagnostics"] if d["code"] == "immutable-changed"]
    assert [(d["file"], d["line"], d["column"], d["message"]) for d in refused] == [
        ("specs/publishes.yaml", 5, 9, f"publish 'pub' is recorded in the lock, but tag {moved_name}:v1 in "
         f"{store} points to {v2_digest}, not the recorded {v1_digest}; edgec never pushes over it")]
    assert "oras cp" in refused[0]["hint"]
    assert result["pushed"] == [] and result["commit"] is None
    assert git.Repo(remote).heads.main.commit.hexsha == head
    check = RegistryStore(f"{registry.registry}/edge", insecure=True)
    assert check.resolve(moved_name, "v1") == v2_digest and check.resolve(gone_name, "v1") is None

    _put_manifest(registry, moved_name, "v1", v1)  # the recovery the hint describes
    code, out = run(capsys, "compile", *root, "--format", "json")
    assert code == 0, out
    assert check.resolve(gone_name, "v1") == gone_digest  # pushed again, same digest
    assert run(capsys, "plan", *root, "--detailed-exitcode")[0] == 0
