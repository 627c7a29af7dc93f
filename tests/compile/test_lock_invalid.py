"""A corrupt or hand-edited edgec.lock.json / plan.json / edge record in a real bare remote: `plan` and `compile`
refuse with `lock-invalid` (exit 3), naming the file and the commit, and nothing is pushed or committed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import git
import pytest

from compiler.cli.main import main
from tests.adapters.deploy.gitutil import push_files
from tests.compile.conftest import commit_all, configure

pytestmark = pytest.mark.integration


def _lock(remote: Path) -> dict:
    return json.loads(git.Repo(remote).heads.main.commit.tree["edgec.lock.json"].data_stream.read())


def _with_lock(change: str) -> Callable[[dict], dict[str, bytes | None]]:
    def edit(lock: dict) -> dict[str, bytes | None]:
        if change == "not-json":
            return {"edgec.lock.json": b'{"version": 1, "publishes": {'}
        if change == "deep":
            return {"edgec.lock.json": b"[" * 200_000 + b"]" * 200_000}
        if change == "list-for-name":
            lock["publishes"] = [["pub"]]
        if change == "wrong-type":
            lock["publishes"]["pub"]["pipelineDigest"] = {"sha256": 1}
        if change == "inputs":
            lock["publishes"]["pub"]["inputsDigest"] = "sha256:short"
        if change == "model-digest":
            lock["publishes"]["pub"]["models"] = {"rf-house-price-estimator": 7}
        if change == "version":
            lock["version"] = 9
        if change == "plan-edges":
            return {"plan.json": b'{"edges": [{"name": ["a"], "publish": 1}]}'}
        if change == "edge-record":
            return {RECORD: b'{"name": "houseprice-edge-inline-demonstration", "publish": ["pub"]}'}
        return {"edgec.lock.json": json.dumps(lock).encode()}
    return edit


RECORD = "edges/houseprice-edge-inline-demonstration/plan.json"
CASES = {
    "not-json": "edgec.lock.json in the deployment repository is not valid JSON (Expecting property name enclosed "
                "in double quotes at line 1 column 30)",
    "deep": "edgec.lock.json in the deployment repository is not valid JSON (nests too deep)",
    "list-for-name": "edgec.lock.json in the deployment repository 'publishes' is not an object",
    "wrong-type": "edgec.lock.json in the deployment repository 'publishes.pub.pipelineDigest' is not a sha256 "
                  "digest",
    "inputs": "edgec.lock.json in the deployment repository 'publishes.pub.inputsDigest' is not a sha256 digest",
    "model-digest": "edgec.lock.json in the deployment repository 'publishes.pub.models.rf-house-price-estimator' "
                    "is not a sha256 digest",
    "version": "edgec.lock.json in the deployment repository has version 9; this edgec reads version 1",
    "plan-edges": "plan.json in the deployment repository 'edges[0]' is not an object with string 'name' and "
                  "'publish'",
    "edge-record": f"{RECORD} in the deployment repository is not an object with string 'name' and 'publish'",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_record_is_refused_naming_file_and_commit(case: str, spec_root: Path, remote: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    commit_all(spec_root, "deploy to a remote")
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0
    good = git.Repo(remote).heads.main.commit.hexsha
    push_files(remote, _with_lock(case)(_lock(remote)), work=tmp_path, message="edit the record by hand")
    bad = git.Repo(remote).heads.main.commit
    capsys.readouterr()
    for command in ("plan", "compile"):
        code = main([command, "--root", str(spec_root), "--format", "json"])
        out = json.loads(capsys.readouterr().out)
        assert code == 3
        diagnostic = out["diagnostics"][0]
        assert diagnostic["code"] == "lock-invalid"
        assert diagnostic["message"] == (
            f'{CASES[case]} (last changed in commit {bad.hexsha[:12]} by Test Person <test@example.invalid>, '
            f'{bad.authored_datetime.isoformat()}: "edit the record by hand")')
        file = {"plan-edges": "plan.json", "edge-record": RECORD}.get(case, "edgec.lock.json")
        assert f"`git checkout {good[:12]} -- {file}`" in diagnostic["hint"]
    assert git.Repo(remote).heads.main.commit.hexsha == bad.hexsha  # nothing committed or pushed


def test_deleted_lock_with_a_plan_is_refused(spec_root: Path, remote: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    commit_all(spec_root, "deploy to a remote")
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0
    with git.Repo.clone_from(str(remote), tmp_path / "c") as clone:
        clone.git.rm("-q", "edgec.lock.json")
        clone.git.commit("-q", "-m", "clean up")
        clone.git.push("-q", "origin", "HEAD:main")
    capsys.readouterr()
    assert main(["plan", "--root", str(spec_root), "--format", "json"]) == 3
    message = json.loads(capsys.readouterr().out)["diagnostics"][0]["message"]
    assert message.startswith("edgec.lock.json in the deployment repository is missing, but plan.json records a "
                              "deployment (last changed in commit ")
