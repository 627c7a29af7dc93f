"""Helpers for the deployment-repository tests: real git through GitPython, a bare repository as the remote."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import git

from compiler.adapters.deploy import DeployState, Rendered, commit_trailers
from tests.support.gitenv import TEST_IDENTITY

#: The identity of every commit a test makes by hand; edgec's own commits must not use it.
TRAILERS = commit_trailers("0123456789abcdef0123456789abcdef01234567", "0.1.0")
MESSAGE = "edgec: compile 1 edge\n\n# plan\n- edge a on pub v1\n\n" + TRAILERS + "\n"

_counter = itertools.count()


def make_remote(path: Path) -> Path:
    git.Repo.init(path, bare=True, initial_branch="main").close()
    return path


def build(files: Mapping[str, bytes], message: str = MESSAGE) -> Callable[[DeployState], Rendered]:
    return lambda state: Rendered(dict(files), message)


def tree(repo_path: Path, ref: str = "main") -> dict[str, bytes]:
    """Every file at `ref`, symlinks included (their target as content)."""
    with git.Repo(repo_path) as repo:
        commit = repo.commit(ref)
        return {str(b.path): b.data_stream.read() for b in commit.tree.traverse() if isinstance(b, git.Blob)}


def history(repo_path: Path, ref: str = "main") -> list[git.Commit]:
    """Commits reachable from `ref`, newest first; [] when the branch does not exist."""
    with git.Repo(repo_path) as repo:
        if ref not in [h.name for h in repo.heads]:
            return []
        return list(repo.iter_commits(ref))


def push_files(remote: Path, files: Mapping[str, bytes], *, branch: str = "main", work: Path,
               symlinks: Mapping[str, str] | None = None, message: str = "a hand-made commit") -> str:
    """Commit `files` on top of the remote branch from another clone, as a colleague or a racing CI job would."""
    clone_dir = work / f"clone-{next(_counter)}"
    with git.Repo.clone_from(str(remote), clone_dir) as clone:
        if branch in [r.remote_head for r in clone.remotes.origin.refs]:
            clone.git.checkout("-q", "-B", branch, f"origin/{branch}")
        else:
            clone.git.checkout("-q", "--orphan", branch)
        for rel, data in files.items():
            target = clone_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for rel, dest in (symlinks or {}).items():
            (clone_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (clone_dir / rel).symlink_to(dest)
        clone.git.add("-A", "-f")
        clone.git.commit("-q", "-m", message, env=TEST_IDENTITY)
        clone.git.push("-q", "origin", f"HEAD:refs/heads/{branch}")
        return clone.head.commit.hexsha


def fsck(repo_path: Path) -> None:
    subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=repo_path, check=True, capture_output=True)
