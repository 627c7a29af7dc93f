"""How fast `edgec validate` is on a large spec repository, next to check-jsonschema on the same files and schema,
and how long it takes on the small example (a pre-commit hook's latency).

`python bench/validate_speed.py [--resources 10000] [--repeat 3] [--root DIR] [--keep DIR] [--json]`

1. Writes a synthetic repository (`bench/generate_specs.py`, 10,000 resources, ~5 MB of multi-document YAML in
   ~420 files) into a temporary folder, or takes an existing one with `--root`.
2. check-jsonschema reads one document per file: a multi-document file is refused ("expected a single document
   in the stream"; checked below on a real file), so the same resources are also written one document per file,
   and check-jsonschema runs on that variant, against `schemas/edgec.schema.json` (the schema edgec validates
   with). edgec is timed on both variants: the single-document one is the like-for-like comparison.
3. Times, interleaved round by round so that background load hits every command alike, best and median of
   `--repeat` runs: `python -m compiler validate --root DIR -q` (YAML parse, JSON Schema, references, artifacts,
   graph, compatibility policy) and `python -m check_jsonschema --schemafile schemas/edgec.schema.json FILES...`
   (YAML parse and JSON Schema only). Both run as `python -m` with this interpreter (no console-script or pyenv
   shim in front of either).
4. Latency of `python -m compiler validate --root examples/house-price -q` (target < 0.3 s wall) and the
   interpreter baseline `python -c pass`, with hyperfine when it is installed, else a perf_counter loop.

The defaults take about three minutes on two cores. Every run's exit code is checked: a figure for a run that
failed is not a figure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate_specs import Shape, write  # noqa: E402

SCHEMA = REPO / "schemas" / "edgec.schema.json"
EXAMPLE = REPO / "examples" / "house-price"
LATENCY_TARGET = 0.3
_DOC_START = re.compile(r"^---(?:[ \t].*)?$", re.MULTILINE)


@dataclass
class Timing:
    label: str
    argv: list[str]
    cwd: Path
    shown: str  # the command as printed (file lists abbreviated)
    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the child: robust to a busy machine

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


# --------------------------------------------------------------------------------------------------- spec trees
def spec_files(root: Path) -> list[Path]:
    """YAML files below `root`, dot-folders skipped (as edgec discovers them), sorted, relative to `root`."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, name).relative_to(root) for name in files
                  if name.endswith((".yaml", ".yml")) and not name.startswith(".")]
    return sorted(found)


def split_documents(source: Path, target: Path) -> None:
    """Copy `source` to `target` with every multi-document YAML file split into `<stem>-NNN.yaml` files in the
    same folder (so relative artifact paths still resolve). Splits on `---` lines at column 0."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))
    for rel in spec_files(target):
        path = target / rel
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in _DOC_START.finditer(text)]
        if not starts or (len(starts) == 1 and not text[:starts[0]].strip("\n")):
            continue  # one document
        cuts = [0, *[s for s in starts if s > 0], len(text)]
        parts = [text[a:b] for a, b in itertools.pairwise(cuts)]
        parts = [p for p in parts if _has_content(p)]
        if len(parts) < 2:
            continue
        for i, part in enumerate(parts):
            path.with_name(f"{path.stem}-{i:03d}{path.suffix}").write_text(part, encoding="utf-8")
        path.unlink()


def _has_content(part: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") and line.strip() != "---"
               for line in part.splitlines())


def describe(root: Path) -> tuple[int, int]:
    files = spec_files(root)
    return len(files), sum((root / f).stat().st_size for f in files)


# ----------------------------------------------------------------------------------------------------- running
def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(timing: Timing) -> float:
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(timing.argv, cwd=timing.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
    timing.cpu.append(_children_cpu() - cpu_before)
    if proc.returncode != 0:
        output = proc.stdout.decode(errors="replace").strip().splitlines()
        print(f"\n{timing.label}: exit {proc.returncode}; first lines of its output:", file=sys.stderr)
        print("\n".join(output[:15]), file=sys.stderr)
        raise SystemExit(f"{timing.label} failed: the benchmark needs every run to pass")
    return elapsed


def measure_interleaved(timings: Sequence[Timing], repeat: int) -> None:
    for round_ in range(repeat):
        for timing in timings:
            timing.runs.append(run_once(timing))
            print(f"  round {round_ + 1}/{repeat}  {timing.label:<50} {timing.runs[-1]:7.2f} s",
                  file=sys.stderr, flush=True)


def measure_latency(timings: Sequence[Timing], runs: int) -> str:
    """Fill `runs` of each timing with hyperfine (no shell, 3 warm-ups) when installed, else perf_counter."""
    hyperfine = shutil.which("hyperfine")
    if hyperfine:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "latency.json"
            argv = [hyperfine, "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(export),
                    *[shlex.join(t.argv) for t in timings]]
            subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            results = json.loads(export.read_text())["results"]
            for timing, result in zip(timings, results, strict=True):
                if any(code != 0 for code in result.get("exit_codes", [])):
                    raise SystemExit(f"{timing.label} failed under hyperfine")
                timing.runs = list(result["times"])
        return "hyperfine -N --warmup 3"
    for timing in timings:
        for _ in range(3):
            run_once(timing)
        timing.runs = [run_once(timing) for _ in range(runs)]
    return "perf_counter, 3 warm-ups"


def check_jsonschema_argv(python: str) -> list[str]:
    probe = subprocess.run([python, "-c", "import check_jsonschema"], capture_output=True)
    if probe.returncode == 0:
        return [python, "-m", "check_jsonschema"]
    found = shutil.which("check-jsonschema")
    if not found:
        raise SystemExit("check-jsonschema is not installed (pip install check-jsonschema)")
    return [found]


def multi_doc_behaviour(cjs: list[str], root: Path) -> str:
    """What check-jsonschema does with a multi-document file of `root` (the first one found)."""
    for rel in spec_files(root):
        if len(_DOC_START.findall((root / rel).read_text(encoding="utf-8"))) >= 2:
            proc = subprocess.run([*cjs, "--schemafile", str(SCHEMA), str(rel)], cwd=root, capture_output=True,
                                  text=True)
            said = "expected a single document" in proc.stdout + proc.stderr
            return (f"check-jsonschema on multi-document {rel}: exit {proc.returncode}"
                    + (" (ComposerError: expected a single document in the stream)" if said else ""))
    return "the repository has no multi-document file"


# ------------------------------------------------------------------------------------------------------ report
def row(timing: Timing) -> str:
    return (f"{timing.label:<50}{len(timing.runs):>5}{timing.best:>9.3f}{timing.median:>10.3f}"
            f"{timing.cpu_median:>12.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=10_000, help="size of the generated repo (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, help="validate this spec repo instead of generating one")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command on the big repo (default 3)")
    parser.add_argument("--latency-runs", type=int, default=15, help="runs per latency command (default 15)")
    parser.add_argument("--keep", type=Path, help="write the generated repos here and keep them")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also time the edgec of another checkout (e.g. a worktree of main), interleaved")
    args = parser.parse_args(argv)
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        # Some sandboxes set it; a user's interpreter caches bytecode, so every timed command (both tools alike)
        # runs with the cache, as a pre-commit hook would on a developer's machine.
        print("note: PYTHONDONTWRITEBYTECODE unset for the timed commands (bytecode cached, as on a user's machine)")

    python = sys.executable
    cjs = check_jsonschema_argv(python)
    work = args.keep or Path(tempfile.mkdtemp(prefix="edgec-validate-speed-"))
    try:
        multi, single = (args.root.resolve() if args.root else work / "multi"), work / "single"
        if single.exists() or (not args.root and multi.exists()):
            raise SystemExit(f"{work} already holds a multi/ or single/ folder; pick an empty --keep folder")
        start = time.perf_counter()
        if args.root:
            split_documents(multi, single)
        else:
            shape = Shape(args.resources, args.seed)
            write(multi, shape)
            write(single, shape, single_doc=True)
        print(f"repos written in {time.perf_counter() - start:.1f} s below {work}", file=sys.stderr)
        m_files, m_bytes = describe(multi)
        s_files, s_bytes = describe(single)
        note = multi_doc_behaviour(cjs, multi)
        single_list = [str(p) for p in spec_files(single)]

        edgec = [python, "-m", "compiler", "validate", "--root"]
        big = [
            Timing(f"edgec validate, multi-doc ({m_files} files)", [*edgec, str(multi), "-q"], REPO,
                   f"python -m compiler validate --root {multi} -q"),
            Timing(f"edgec validate, single-doc ({s_files} files)", [*edgec, str(single), "-q"], REPO,
                   f"python -m compiler validate --root {single} -q"),
            Timing(f"check-jsonschema, single-doc ({s_files} files)",
                   [*cjs, "--schemafile", str(SCHEMA), *single_list], single,
                   f"cd {single} && {shlex.join(cjs)} --schemafile {SCHEMA} <the {s_files} *.yaml files>"),
        ]
        if args.baseline:
            base = args.baseline.resolve()
            big += [Timing(f"baseline {base.name}: multi-doc", [*edgec, str(multi), "-q"], base,
                           f"cd {base} && python -m compiler validate --root {multi} -q"),
                    Timing(f"baseline {base.name}: single-doc", [*edgec, str(single), "-q"], base,
                           f"cd {base} && python -m compiler validate --root {single} -q")]
        print(f"timing the big repo: {args.repeat} interleaved rounds", file=sys.stderr)
        measure_interleaved(big, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    latency = [
        Timing("python -c pass (interpreter baseline)", [python, "-c", "pass"], REPO, "python -c pass"),
        Timing("edgec validate examples/house-price", [*edgec, str(EXAMPLE.relative_to(REPO)), "-q"], REPO,
               "python -m compiler validate --root examples/house-price -q"),
    ]
    if args.baseline:
        latency.append(Timing(f"baseline {args.baseline.name}: examples/house-price",
                              [*edgec, str(EXAMPLE), "-q"], args.baseline.resolve(),
                              f"cd {args.baseline} && python -m compiler validate --root {EXAMPLE} -q"))
    print("timing latency", file=sys.stderr)
    method = measure_latency(latency, args.latency_runs)

    edgec_multi, edgec_single, checker = big[:3]
    baseline, example = latency[:2]
    print()
    how = ("split on its `---` lines" if args.root else
           f"generated with --single-doc: the same {args.resources:,} resources, the modeline comment on every file")
    print(f"repo: {m_files} files, {m_bytes / 1e6:.2f} MB (multi-document); single-document variant: "
          f"{s_files} files, {s_bytes / 1e6:.2f} MB ({how})")
    print(f"check-jsonschema reads one document per file: {note}")
    print(f"{'command (wall seconds; CPU = user+sys)':<50}{'runs':>5}{'best':>9}{'median':>10}{'CPU median':>12}")
    for timing in big:
        print(row(timing))
    print(f"ratio edgec/check-jsonschema, same single-doc files: {edgec_single.median / checker.median:.2f}x "
          f"(median), {edgec_single.best / checker.best:.2f}x (best)")
    print(f"ratio edgec multi-doc repo/check-jsonschema:         {edgec_multi.median / checker.median:.2f}x "
          f"(median), {edgec_multi.best / checker.best:.2f}x (best)")
    print(f"CPU ratio edgec/check-jsonschema, single-doc files:  {edgec_single.cpu_median / checker.cpu_median:.2f}x "
          f"(median); multi-doc: {edgec_multi.cpu_median / checker.cpu_median:.2f}x")
    print(f"latency ({method}):")
    for timing in latency:
        print(row(timing))
    verdict = "ok" if example.median < LATENCY_TARGET else "OVER TARGET"
    print(f"example latency {example.median:.3f} s median vs target < {LATENCY_TARGET} s: {verdict}; "
          f"{example.median - baseline.median:.3f} s above the bare interpreter")
    print("commands:")
    for timing in [*big, *latency]:
        print(f"  {timing.shown}")
    if args.json:
        print(json.dumps({t.label: {"command": t.shown, "runs": t.runs, "best": t.best, "median": t.median,
                                    "cpu": t.cpu}
                          for t in [*big, *latency]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
