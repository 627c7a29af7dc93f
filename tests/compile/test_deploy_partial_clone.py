"""A large deployment repository is fetched partial (no blobs of the history) and shallow (the head only), and
what reads history deepens on demand: tested against a real bare remote that allows filters (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import git
import pytest

from compiler.adapters.deploy.target import cache_dir_for
from compiler.cli.main import main
from tests.adapters.deploy.gitutil import TEST_IDENTITY, push_files
from tests.compile.conftest import commit_all, configure, edit

pytestmark = pytest.mark.integration
EDGE = "houseprice-edge-inline-demonstration"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def local_objects(cache: Path) -> set[str]:
    """Object ids the checkout holds itself (`--batch-all-objects` never fetches a missing one)."""
    out = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], cwd=cache,
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


def shallow_boundary(cache: Path) -> list[str]:
    path = cache / ".git" / "shallow"
    return path.read_text().split() if path.is_file() else []


def older_history(remote: Path, work: Path, count: int) -> None:
    """`count` commits the deployment repository had before edgec, each with a file of its own."""
    with git.Repo.init(work / "older", initial_branch="main") as older:
        for number in range(count):
            (work / "older" / "history").mkdir(exist_ok=True)
            (work / "older" / "history" / f"{number}.txt").write_text(f"entry {number}\n")
            older.git.add("-A")
            older.git.commit("-q", "-m", f"history {number}", env=TEST_IDENTITY)
        older.git.push("-q", os.fspath(remote), "main")


def test_a_partial_shallow_clone_compiles_pushes_and_deepens_for_history(
        spec_root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git.Repo(remote).git.config("uploadpack.allowFilter", "true")
    older_history(remote, tmp_path, 20)
    configure(spec_root, remote=remote)
    commit_all(spec_root, "deploy to the remote")
    assert run(capsys, "compile", "--root", str(spec_root))[0] == 0
    edgec_commit = git.Repo(remote).heads.main.commit.hexsha
    # A colleague's history on top: a hand edit of an owned file, then a large file added and removed, then
    # commits that touch nothing edgec owns, so the answers edgec needs lie deeper than the new head.
    plan_edit = push_files(remote, {"PLAN.md": b"# edited by hand\n"}, work=tmp_path, message="hand edit of PLAN.md")
    large = os.urandom(1 << 20)
    push_files(remote, {"docs/model-card.bin": large}, work=tmp_path, message="add a large file")
    with git.Repo.clone_from(str(remote), tmp_path / "remove") as clone:
        clone.git.rm("-q", "docs/model-card.bin")
        clone.git.commit("-q", "-m", "remove the large file", env=TEST_IDENTITY)
        clone.git.push("-q", "origin", "main")
    for number in range(4):
        push_files(remote, {"README.md": f"notes {number}\n".encode()}, work=tmp_path, message=f"notes {number}")
    head = git.Repo(remote).heads.main.commit.hexsha
    (tmp_path / "large").write_bytes(large)
    large_blob = git.Git().hash_object(os.fspath(tmp_path / "large"))

    cache = cache_dir_for(spec_root, os.fspath(remote))
    shutil.rmtree(cache)  # a fresh CI machine
    code, out = run(capsys, "plan", "--root", str(spec_root))
    assert code == 0, [d["message"] for d in out["diagnostics"]]
    # drift names the commit that really changed PLAN.md, far below the head the first fetch brought
    assert [(d["kind"], d["file"], d["commit"]["sha"]) for d in out["drift"]] == [("edited", "PLAN.md", plan_edit)]
    boundary = shallow_boundary(cache)
    assert boundary and head not in boundary  # still shallow, only as deep as the answers needed
    assert large_blob not in local_objects(cache)  # no blob of the history was fetched

    edit(spec_root / "specs" / "edges.yaml", "tags: []", "tags: [north]")
    source = commit_all(spec_root, "tag the edge")
    code, out = run(capsys, "compile", "--root", str(spec_root))
    assert code == 0, out["diagnostics"]
    pushed = git.Repo(remote).heads.main.commit
    assert pushed.parents[0].hexsha == head and f"Source-Commit: {source}" in pushed.message
    assert git.Repo(remote).git.show(f"{pushed.hexsha}:PLAN.md") != "# edited by hand"  # restored
    assert edgec_commit != pushed.hexsha and large_blob not in local_objects(cache)

    edit(spec_root / "specs" / "edges.yaml", "tags: [north]", "tags: [north, lab]")
    commit_all(spec_root, "another tag")
    code, out = run(capsys, "compile", "--root", str(spec_root))
    assert code == 0, out["diagnostics"]
    second = git.Repo(remote).heads.main.commit
    assert second.parents[0] == pushed and b"lab" in (second.tree / f"edges/{EDGE}/values.yaml").data_stream.read()
    subprocess.run(["git", "fsck", "--no-dangling"], cwd=remote, check=True, capture_output=True)


def test_soak_times_read_the_whole_history_of_a_shallow_clone(remote: Path, tmp_path: Path) -> None:
    """The commit that moved a wave lies below the head: `wave_clocks` fetches the whole commit history first."""
    from compiler.adapters.deploy import DeployTarget, GitDeployRepository
    from compiler.adapters.deploy.history import wave_clocks

    git.Repo(remote).git.config("uploadpack.allowFilter", "true")
    moved = push_files(remote, {"plan.json": b"{}\n"}, work=tmp_path,
                       message="edgec: 1 edge moved\n\nEdgec-Version: 0.1.0\nEdgec-Wave-Moved: pub/canary")
    for number in range(3):
        push_files(remote, {"plan.json": f'{{"n": {number}}}\n'.encode()}, work=tmp_path, message=f"edit {number}")
    repository = GitDeployRepository(DeployTarget(cache_dir=tmp_path / "cache", url=os.fspath(remote)))
    clocks = wave_clocks(repository)
    assert [(key, clock.commit) for key, clock in clocks.items()] == [(("pub", "canary"), moved)]
    assert shallow_boundary(tmp_path / "cache") == []
