"""Checkouts edgec owns heal themselves: a first clone cut short by a full disk, a stale `index.lock` of a killed
git; a failed local-mode compile leaves nothing half-written. Real git, real processes, real file-size limits."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import git

from compiler.adapters.deploy import DeployTarget, GitDeployRepository

from .gitutil import build, push_files, tree

FILES = {"plan.json": b"{}\n", "edges/a/values.yaml": b"a\n"}
ROOT = Path(__file__).resolve().parents[3]


def run_limited(code: str, limit: int) -> subprocess.CompletedProcess[str]:
    """Run `code` in a child whose files may grow to `limit` bytes (as on a full disk: writes fail with EFBIG)."""
    prelude = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=120)


def test_a_first_clone_cut_short_by_a_full_disk_is_rebuilt(remote: Path, tmp_path: Path) -> None:
    push_files(remote, {"docs/big.bin": os.urandom(300_000)}, work=tmp_path)
    cache = tmp_path / "cache"
    child = run_limited(f"""
        from pathlib import Path
        from compiler.adapters.deploy import DeployTarget, GitDeployRepository
        from compiler.diagnostics import EdgecError
        try:
            GitDeployRepository(DeployTarget(Path({str(cache)!r}), url={str(remote)!r})).current()
        except EdgecError as exc:
            raise SystemExit(exc.diagnostic.code)
    """, limit=150)  # .git/config cannot even be written whole
    assert child.returncode != 0 and "Traceback" not in child.stderr
    assert not cache.exists()  # the checkout is built beside it and renamed into place only when whole
    result = GitDeployRepository(DeployTarget(cache, url=str(remote))).sync(build(FILES))
    assert result.changed and tree(remote)["edges/a/values.yaml"] == b"a\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("cache.new-")] == []


def test_a_broken_cache_left_by_an_earlier_run_is_rebuilt(remote: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / ".git").mkdir(parents=True)  # what an interrupted `git init` of an earlier edgec left
    (cache / ".git" / "config").write_text("[core\n")
    result = GitDeployRepository(DeployTarget(cache, url=str(remote))).sync(build(FILES))
    assert result.changed


def test_a_stale_index_lock_of_a_killed_git_does_not_block(remote: Path, tmp_path: Path) -> None:
    target = DeployTarget(tmp_path / "cache", url=str(remote))
    GitDeployRepository(target).sync(build(FILES))
    for stale in (target.cache_dir / ".git" / "index.lock", target.cache_dir / ".git" / "refs" / "heads" / "main.lock"):
        stale.write_bytes(b"")  # what `git` leaves when it is killed mid-command
    result = GitDeployRepository(target).sync(build({**FILES, "plan.json": b"{}\n\n"}))
    assert result.changed and tree(remote)["plan.json"] == b"{}\n\n"


def test_a_stale_index_lock_in_local_mode_does_not_block(tmp_path: Path) -> None:
    target = DeployTarget(tmp_path / "deploy")
    GitDeployRepository(target).sync(build(FILES))
    (target.cache_dir / ".git" / "index.lock").write_bytes(b"")
    assert GitDeployRepository(target).sync(build({**FILES, "plan.json": b"[]\n"})).changed


def test_a_failed_local_mode_compile_leaves_nothing_half_written(tmp_path: Path) -> None:
    deploy = tmp_path / "deploy"
    GitDeployRepository(DeployTarget(deploy)).sync(build(FILES))
    before = git.Repo(deploy).head.commit.hexsha
    child = run_limited(f"""
        from pathlib import Path
        from compiler.adapters.deploy import DeployTarget, GitDeployRepository, Rendered
        from compiler.diagnostics import EdgecError
        files = {{"edges/a/values.yaml": b"changed\\n", "edges/b/values.yaml": b"new\\n", "plan.json": b"x" * 200_000}}
        try:
            GitDeployRepository(DeployTarget(Path({str(deploy)!r}))).sync(lambda s: Rendered(files, "m\\n"))
        except EdgecError as exc:
            raise SystemExit(exc.diagnostic.code)
    """, limit=100_000)  # the disk fills while the tree is written
    assert child.returncode != 0 and child.stderr.strip().endswith("io-error"), child.stderr
    repo = git.Repo(deploy)
    assert repo.head.commit.hexsha == before
    assert repo.git.status("--porcelain", "--untracked-files=all") == ""
    assert (deploy / "edges" / "a" / "values.yaml").read_bytes() == b"a\n"
    assert not (deploy / "edges" / "b").exists()
