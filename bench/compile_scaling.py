"""Fleet-scale figures of issue 18: compile, recompile, one edge moved, deployment-repo growth, validate cache.

`python bench/compile_scaling.py [--sizes 10000,100000] [--code DIR] [--keep DIR] [--skip-example]`

For each size N (edges; publishes are N / 10, in chains of 10, `bench/fleet.py`), writes a fleet spec repository
into a temporary folder (local OCI layout and local deployment repository: no `registry`, no `deployRepo`) and
runs `python -m compiler ...` as a child process, measuring each run's wall time, CPU time and peak memory (the
child's own `ru_maxrss` from `os.wait4`):

1. `compile` from nothing (first compile);
2. `compile` again with nothing changed: the deployment branch must not move, and the script counts the files of
   the deployment checkout whose mtime or inode changed (`written`);
3. one edge moved to another publish of its chain, then `compile`: the files its commit touches and the bytes it
   adds to the deployment repository's object store (the new objects of that commit, as stored: loose objects
   are zlib-compressed);
4. `validate` cold (no `.edgec/validate-cache.json`) and warm (the same tree again);
5. `git` at that size: `git status` and `git log -1 --stat` on the deployment checkout (where one repository
   stops scaling).

Then the pre-commit latency on the example (`validate --root examples/house-price -q`, median of 15 runs).

`--code DIR` runs the compiler found in DIR (PYTHONPATH), e.g. an unpacked `git archive` of an older commit, so
"before" and "after" figures come from the same script and the same fleet. The machine is shared: compare the
ratios of one run rather than absolute figures of different runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.fleet import FleetShape, write_fleet  # noqa: E402
from bench.generate_specs import CONFIG  # noqa: E402

CHAIN = 10


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float
    code: int
    out: str

    def __str__(self) -> str:
        return f"{self.wall:8.2f} s wall {self.cpu:8.2f} s CPU {self.peak_mib:7.0f} MiB peak"


def run(argv: list[str], code: Path, cwd: Path | None = None, check: bool = True) -> Run:
    """One child process with its own rusage (CPU, peak RSS)."""
    env = {**os.environ, "PYTHONPATH": str(code), "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        # cwd: a folder without a `compiler` package, so PYTHONPATH decides which one is imported
        child = subprocess.Popen(argv, cwd=cwd or tempfile.gettempdir(), env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    result = Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode, text)
    if check and result.code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result.code}:\n{text[-3000:]}")
    return result


def edgec(root: Path, code: Path, *args: str) -> Run:
    return run([sys.executable, "-m", "compiler", *args, "--root", str(root), "-q"], code)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def snapshot(tree: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, inode) of every file of the deployment checkout outside `.git`."""
    found: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            stat = os.lstat(os.path.join(folder, name))
            found[os.path.join(folder, name)] = (stat.st_mtime_ns, stat.st_ino)
    return found


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp) + len(before.keys() - after.keys())


def commit_growth(repo: Path) -> tuple[int, int]:
    """(objects, bytes on disk) that the HEAD commit added to the object store."""
    objects = git(repo, "rev-list", "--objects", "HEAD", "--not", "HEAD^")
    names = "\n".join(line.split(" ")[0] for line in objects.splitlines() if line) + "\n"
    sizes = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-check=%(objectsize:disk)"], input=names,
                           check=True, capture_output=True, text=True).stdout.split()
    return len(sizes), sum(int(s) for s in sizes)


def push_size(repo: Path) -> int:
    """Bytes of the thin pack a push of the HEAD commit sends (what the remote, and a packed repository, grow by:
    objects deltified against the parent's)."""
    pack = subprocess.run(["git", "-C", str(repo), "pack-objects", "--revs", "--thin", "--stdout", "-q"],
                          input=b"HEAD\n^HEAD^\n", check=True, capture_output=True).stdout
    return len(pack)


def move_one_edge(root: Path, edge: int, chains: int) -> tuple[str, str]:
    """Point edge-`edge` at the first publish of the next chain (an edge follows its chain to the chain's head, so
    another publish of the same chain would not move it)."""
    pattern = re.compile(r'("name": "edge-' + str(edge) + r'"\}, "spec": \{"publish": "c(\d+)-p(\d+)")')
    for path in sorted(root.glob("fleet-*.yaml")):
        text = path.read_text()
        match = pattern.search(text)
        if match:
            chain, position = int(match.group(2)), int(match.group(3))
            old_ref, new_ref = f"c{chain}-p{position}", f"c{(chain + 1) % chains}-p0"
            path.write_text(text.replace(match.group(1), match.group(1).replace(old_ref, new_ref)))
            return old_ref, new_ref
    raise SystemExit(f"edge-{edge} not found")


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def shape_for(edges: int) -> FleetShape:
    """N edges, N / 10 publishes in chains of 10; small fleets get shorter chains, so there are always two chains
    (moving an edge needs another chain) and at least two publishes."""
    publishes = max(2, edges // 10)
    return FleetShape(edges=max(2, edges), publishes=publishes, chain_length=max(1, min(CHAIN, publishes // 2)))


def fleet(root: Path, edges: int, code: Path) -> None:
    shape = shape_for(edges)
    print(f"\n## {shape.edges:,} edges / {shape.publishes:,} publishes ({shape.chains} chains of "
          f"{shape.chain_length}), code from {code}")
    write_fleet(root, shape)
    (root / "edgec.yaml").write_text(CONFIG)
    deploy = root / ".edgec" / "deploy"

    first = edgec(root, code, "compile")
    files = int(git(deploy, "ls-files", "-z").count("\0"))
    print(f"first compile           {first}   {files:,} files in the deployment tree, "
          f".git {size_of(deploy / '.git') / 2**20:.1f} MiB")

    head, before = git(deploy, "rev-parse", "HEAD").strip(), snapshot(deploy)
    again = edgec(root, code, "compile")
    same = git(deploy, "rev-parse", "HEAD").strip() == head
    print(f"no-change recompile     {again}   written {written(before, snapshot(deploy)):,} files, "
          f"{'no commit' if same else 'NEW COMMIT'}")

    old, new = move_one_edge(root, shape.edges // 2, shape.chains)
    moved = edgec(root, code, "compile")
    touched = [p for p in git(deploy, "show", "--name-only", "--format=", "HEAD").splitlines() if p]
    objects, added = commit_growth(deploy)
    print(f"one edge moved          {moved}   {old} -> {new}; commit touches {len(touched)} files "
          f"({', '.join(touched[:6])}{', ...' if len(touched) > 6 else ''})")
    print(f"repo growth, 1 edge     {added / 1024:8.1f} KiB in {objects} new objects (loose); a push sends "
          f"{push_size(deploy) / 1024:.1f} KiB (thin pack)")

    (root / ".edgec" / "validate-cache.json").unlink(missing_ok=True)
    cold = edgec(root, code, "validate")
    warm = edgec(root, code, "validate")
    print(f"validate cold           {cold}")
    print(f"validate warm           {warm}   {warm.wall / cold.wall:.0%} of cold")

    status = run(["git", "-C", str(deploy), "status", "--porcelain"], code)
    stat = run(["git", "-C", str(deploy), "log", "-1", "--stat", "--format=%H"], code)
    print(f"git status (checkout)   {status}")
    print(f"git log -1 --stat       {stat}")


def latency(code: Path, repeat: int = 15) -> None:
    example = REPO / "examples" / "house-price"
    argv = [sys.executable, "-m", "compiler", "validate", "--root", str(example), "-q"]
    run(argv, code)  # warm the OS caches (and edgec's own validate cache, where there is one)
    walls = [run(argv, code).wall for _ in range(repeat)]
    base = statistics.median(run([sys.executable, "-c", "pass"], code).wall for _ in range(repeat))
    print(f"\npre-commit latency      {statistics.median(walls):.3f} s median of {repeat} (best {min(walls):.3f}); "
          f"python -c pass {base:.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="edge counts, comma-separated (default 10000)")
    parser.add_argument("--code", type=Path, default=REPO, help="folder whose `compiler` package is run")
    parser.add_argument("--keep", type=Path, help="keep the fleets in this folder")
    parser.add_argument("--skip-example", action="store_true", help="no pre-commit latency run")
    args = parser.parse_args()
    version = run([sys.executable, "-c", "import compiler, sys; print(compiler.__file__)"], args.code.resolve())
    print(f"compiler from {version.out.strip()}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    for size in (int(s) for s in args.sizes.split(",")):
        if args.keep:
            root = args.keep / f"fleet-{size}"
            shutil.rmtree(root, ignore_errors=True)
            fleet(root, size, args.code.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="edgec-scale-") as tmp:
                fleet(Path(tmp), size, args.code.resolve())
    if not args.skip_example:
        latency(args.code.resolve())
    print(json.dumps({"load_after": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
