"""What edgec fetches of a deployment repository with a long history, next to a full clone of it.

    python bench/deploy_fetch.py                         # 2,000 edges, 100 commits of history, ~1 min
    python bench/deploy_fetch.py --edges 5000 --commits 200

A bare repository (`uploadpack.allowFilter`) of N edge folders (three files each, unique content) and a history of
C commits, each rewriting a tenth of the edges (as compiles that move edges do). Then, on a fresh machine:
- edgec's first fetch (`GitDeployRepository.current()`: a partial, shallow clone, the head's blobs in one batch)
  and the same with the last change of the lock asked (deepens by one commit);
- the peer: `git clone --no-checkout` of the whole repository (what an edgec before this one fetched).
Printed: wall time and the size of the fetched `.git` (objects on disk).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "b@b", "GIT_CONFIG_NOSYSTEM": "1"}
FILES = ("values.yaml", "application.yaml", "helmrelease.yaml")


def git(*args: str, cwd: Path, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, input=stdin, check=True, capture_output=True)


def make_remote(work: Path, edges: int, commits: int) -> Path:
    tree = work / "author"
    tree.mkdir()
    git("init", "-q", "-b", "main", cwd=tree)
    for generation in range(commits):
        changed = range(edges) if generation == 0 else range(generation % 10, edges, 10)
        for edge in changed:
            folder = tree / "edges" / f"edge-{edge:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                (folder / name).write_text(f"edge {edge} {name} generation {generation}\n" * 20)
        (tree / "edgec.lock.json").write_text(f'{{"generation": {generation}}}\n')
        git("add", "-A", cwd=tree)
        git("commit", "-q", "-m", f"edgec: generation {generation}\n\nEdgec-Version: 0.1.0", cwd=tree)
    remote = work / "deploy.git"
    git("clone", "-q", "--bare", str(tree), str(remote), cwd=work)
    git("config", "uploadpack.allowFilter", "true", cwd=remote)
    git("gc", "-q", cwd=remote)
    return remote


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def edgec_fetch(remote: Path, cache: Path, *, history: bool) -> float:
    from compiler.adapters.deploy import DeployTarget, GitDeployRepository

    start = time.perf_counter()
    state = GitDeployRepository(DeployTarget(cache_dir=cache, url=str(remote))).current()
    assert state.read("edgec.lock.json") is not None
    if history:
        assert state.last_change("edgec.lock.json") is not None
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edges", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgec-fetch-") as tmp:
        work = Path(tmp)
        remote = make_remote(work, args.edges, args.commits)
        rows = [("remote (bare, packed)", 0.0, size_of(remote))]
        for label, history in (("edgec: partial, shallow", False), ("edgec: ... + last change of the lock", True)):
            cache = work / f"cache-{history}"
            seconds = edgec_fetch(remote, cache, history=history)
            rows.append((label, seconds, size_of(cache / ".git")))
        start = time.perf_counter()
        git("clone", "-q", "--no-checkout", f"file://{remote}", str(work / "full"), cwd=work)
        rows.append(("peer: git clone (full history)", time.perf_counter() - start, size_of(work / "full" / ".git")))
    print(f"{args.edges} edges, {args.commits} commits of history")
    for label, seconds, size in rows:
        print(f"{label:40s} {seconds:6.2f} s {size / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()
