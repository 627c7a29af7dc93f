"""Where one deployment repository stops scaling: plain git on a tree shaped like edgec's, at N edges.

`python bench/git_scaling.py [--edges 10000,100000]` writes, per size, a repository of N edge folders with the
three files edgec renders (values.yaml ~0.8 KB, application.yaml ~1.8 KB, helmrelease.yaml ~2.4 KB, each
unique to its edge) and times, as child processes with their own CPU time and peak memory:

- staging all files (`git update-index --add --stdin`, as edgec does) and the first commit;
- `git status` (what every later compile's reset pays: a stat of every file);
- a one-edge commit (its three files) and the bytes it adds;
- what one device pays to read its own folder: a full `git clone --depth 1` (what Argo CD's repo server or a
  Flux GitRepository does), against a blobless sparse clone of that one folder (`--filter=blob:none --sparse`).

No edgec code runs here; the edgec side is `bench/compile_scaling.py`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FILES = {
    "values.yaml": 800,
    "application.yaml": 1800,
    "helmrelease.yaml": 2400,
}
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "b@b", "GIT_CONFIG_NOSYSTEM": "1", "HOME": tempfile.gettempdir()}


def content(edge: int, name: str, size: int, generation: int = 0) -> bytes:
    line = f"edge-{edge:06d} {name} generation {generation} digest sha256:{edge * 7919 + generation:064x}\n"
    return (line * (size // len(line) + 1)).encode()[:size]


def timed(argv: list[str], cwd: Path, stdin: bytes | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of one child."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=GIT_ENV, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    assert child.stdin is not None
    if stdin is not None:
        child.stdin.write(stdin)
    child.stdin.close()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {child.stderr.read().decode() if child.stderr else ''}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def show(label: str, figures: tuple[float, float, float], extra: str = "") -> None:
    wall, cpu, peak = figures
    print(f"{label:<34}{wall:8.2f} s wall {cpu:8.2f} s CPU {peak:7.0f} MiB   {extra}")


def disk(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def one_size(edges: int, work: Path) -> None:
    print(f"\n## {edges:,} edges ({edges * 3:,} files)")
    repo = work / "deploy"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=GIT_ENV)
    subprocess.run(["git", "-C", str(repo), "config", "gc.auto", "0"], check=True, env=GIT_ENV)
    paths = []
    for e in range(edges):
        folder = repo / "edges" / f"edge-{e:06d}"
        folder.mkdir(parents=True)
        for name, size in FILES.items():
            (folder / name).write_bytes(content(e, name, size))
            paths.append(f"edges/edge-{e:06d}/{name}")
    (repo / "plan.json").write_text("{}\n")
    paths.append("plan.json")
    show("stage all (update-index --stdin)", timed(["git", "update-index", "--add", "-z", "--stdin"], repo,
                                                   b"".join(p.encode() + b"\0" for p in paths)))
    show("first commit", timed(["git", "commit", "-q", "-m", "first"], repo),
         f".git {disk(repo / '.git'):.0f} MiB (loose)")
    show("git status", timed(["git", "status", "--porcelain"], repo))
    middle = edges // 2
    changed = [f"edges/edge-{middle:06d}/{name}" for name in FILES]
    for name, size in FILES.items():
        (repo / "edges" / f"edge-{middle:06d}" / name).write_bytes(content(middle, name, size, 1))
    show("stage one edge + commit", timed(["sh", "-c", "git update-index -z --stdin && git commit -q -m one"], repo,
                                          b"".join(p.encode() + b"\0" for p in changed)))
    objects = subprocess.run(["git", "-C", str(repo), "rev-list", "--objects", "HEAD", "--not", "HEAD^"],
                             check=True, capture_output=True, text=True, env=GIT_ENV).stdout.split("\n")
    ids = "\n".join(line.split(" ")[0] for line in objects if line) + "\n"
    sizes = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-check=%(objectsize:disk)"], input=ids,
                           check=True, capture_output=True, text=True, env=GIT_ENV).stdout.split()
    print(f"{'one-edge commit adds':<34}{sum(map(int, sizes)) / 1024:8.1f} KiB in {len(sizes)} objects "
          f"(trees: each folder on the path is rewritten)")
    show("git gc (out of band)", timed(["git", "gc", "-q"], repo), f".git {disk(repo / '.git'):.0f} MiB (packed)")
    url = f"file://{repo}"
    show("device: full clone --depth 1", timed(["git", "clone", "-q", "--depth", "1", url, str(work / "full")], work),
         f"{disk(work / 'full'):.0f} MiB on the device")
    sparse = work / "sparse"
    show("device: blobless sparse clone", timed(["sh", "-c", f"git clone -q --filter=blob:none --sparse --depth 1 "
                                                 f"{url} {sparse} && git -C {sparse} sparse-checkout set "
                                                 f"edges/edge-{middle:06d}"], work),
         f"{disk(sparse):.1f} MiB on the device")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edges", default="10000,100000")
    args = parser.parse_args()
    subprocess.run(["git", "--version"], check=True)
    for edges in (int(n) for n in args.edges.split(",")):
        work = Path(tempfile.mkdtemp(prefix="edgec-git-"))
        try:
            one_size(edges, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
