"""Compiles of different spec commits are ordered by the spec repository's history (`stale-compile`): real
concurrent processes against a real bare remote, and each refusal with nothing pushed or committed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest

from compiler.adapters.deploy import parse_trailers
from compiler.cli.main import main
from tests.compile.conftest import REPO, commit_all, configure, edit

pytestmark = pytest.mark.integration
EDGES = Path("specs") / "edges.yaml"


def successive_commits(root: Path, count: int) -> list[str]:
    """`count` spec commits in a row, each rendering a different tree (another edge tag)."""
    shas = []
    for index in range(count):
        edit(root / EDGES, "tags: []" if index == 0 else f"tags: [c{index - 1}]", f"tags: [c{index}]")
        shas.append(commit_all(root, f"spec change {index}"))
    return shas


def job_checkout(spec_root: Path, sha: str, where: Path) -> Path:
    """A CI job's checkout of one spec commit (full history, as `fetch-depth: 0` gives)."""
    with git.Repo.clone_from(str(spec_root), where) as clone:
        clone.git.checkout("-q", "--detach", sha)
    return where


def deployed_sources(remote: Path) -> list[str]:
    """`Source-Commit` of every deployment commit, oldest first."""
    with git.Repo(remote) as repo:
        return [parse_trailers(str(c.message))["Source-Commit"] for c in reversed(list(repo.iter_commits("main")))]


def test_concurrent_compiles_of_successive_commits_never_roll_back(spec_root: Path, remote: Path,
                                                                   tmp_path: Path) -> None:
    configure(spec_root, remote=remote)
    shas = successive_commits(spec_root, 5)
    roots = [job_checkout(spec_root, sha, tmp_path / f"job-{i}") for i, sha in enumerate(shas)]
    command = [sys.executable, "-m", "compiler", "compile", "--format", "json", "--root"]
    procs = [subprocess.Popen([*command, str(root)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for root in reversed(roots)]  # the newest starts first
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    results.reverse()
    for code, stdout, stderr in results:
        assert "Traceback" not in stdout + stderr
        assert code == 0 or (code == 3 and '"stale-compile"' in stdout), (code, stdout, stderr)
    assert results[-1][0] == 0  # the newest spec commit always lands
    sources = deployed_sources(remote)
    assert sources[-1] == shas[-1]
    assert [shas.index(s) for s in sources] == sorted(shas.index(s) for s in sources)  # never backwards
    assert len(set(sources)) == len(sources)
    subprocess.run(["git", "fsck", "--strict"], cwd=remote, check=True, capture_output=True)


def test_an_older_commit_is_refused_with_nothing_pushed_or_committed(
        spec_root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    old, new = successive_commits(spec_root, 2)
    late = job_checkout(spec_root, old, tmp_path / "late-job")
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0
    head = git.Repo(remote).heads.main.commit
    capsys.readouterr()
    assert main(["compile", "--root", str(late), "--format", "json"]) == 3
    diagnostic = json.loads(capsys.readouterr().out)["diagnostics"][0]
    assert diagnostic["code"] == "stale-compile"
    assert diagnostic["message"] == (
        f"the deployment repository's commit {head.hexsha[:12]} was compiled from spec commit {new[:12]}, a "
        f"descendant of this compile's {old[:12]}: committing would roll the deployment back")
    assert "revert" in diagnostic["hint"]
    assert git.Repo(remote).heads.main.commit == head
    assert not (late / ".edgec" / "oci").exists()  # nothing pushed to the (local) artifact store
    # A revert in the spec repository is the deliberate roll-back: it is newer, so it lands.
    with git.Repo(spec_root) as repo:
        repo.git.revert("--no-edit", new)
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0
    assert git.Repo(remote).heads.main.commit != head


def test_diverged_and_unknown_spec_commits_are_refused(spec_root: Path, remote: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    configure(spec_root, remote=remote)
    base = commit_all(spec_root, "configure")
    (tip,) = successive_commits(spec_root, 1)
    assert main(["compile", "--root", str(spec_root), "-q"]) == 0
    side = job_checkout(spec_root, base, tmp_path / "side")
    edit(side / EDGES, "tags: []", "tags: [side]")
    commit_all(side, "a change on another branch")
    capsys.readouterr()
    assert main(["compile", "--root", str(side), "--format", "json"]) == 3
    message = json.loads(capsys.readouterr().out)["diagnostics"][0]["message"]
    assert message.endswith(f"compiled from spec commit {tip[:12]}, which is not an ancestor of this compile's "
                            f"{git.Repo(side).head.commit.hexsha[:12]} (the spec histories diverged)")

    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{side}", str(shallow)], check=True)
    assert main(["compile", "--root", str(shallow), "--format", "json"]) == 3
    diagnostic = json.loads(capsys.readouterr().out)["diagnostics"][0]
    assert diagnostic["code"] == "stale-compile" and "not in this spec repository's history" in diagnostic["message"]
    assert "fetch-depth 0" in diagnostic["hint"]
