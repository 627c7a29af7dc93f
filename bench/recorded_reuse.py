"""What a recompile costs when its publishes are recorded: reused by inputs digest vs built again.

    python bench/recorded_reuse.py                # a 200 MiB model folder, ~1 min on 2 cores
    python bench/recorded_reuse.py --size-mb 50

A copy of examples/house-price whose first model is a folder of random (incompressible) files, compiled once into
the local OCI layout and deployment repository. Then, each in its own process, best of `--repeat`:
- `edgec compile` again with nothing changed: every publish is recorded, so only the model contents are hashed
  (the folder's files read once, no tar, no gzip) and nothing is pushed;
- the peer: building every artifact from scratch (`compiler.compile.stages.build`, what each compile did before
  recorded publishes were reused: tar+gzip of the folder at level 9, then the comparison of digests).
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

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "house-price"


def make_root(work: Path, size_mb: int) -> Path:
    root = work / "specs"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".edgec"))
    folder = root / "models" / "rf-folder"
    folder.mkdir()
    for number in range(0, size_mb, 16):  # shards of 16 MiB
        with open(folder / f"shard-{number // 16:03d}.bin", "wb") as handle:
            for _ in range(min(16, size_mb - number)):
                handle.write(os.urandom(1 << 20))
    models = root / "specs" / "models.yaml"
    models.write_text(models.read_text().replace("artifact: ../models/rf_model.onnx", "artifact: ../models/rf-folder"))
    return root


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory(prefix="edgec-reuse-") as tmp:
        root = make_root(Path(tmp), args.size_mb)
        compile_argv = [sys.executable, "-m", "compiler", "compile", "--root", str(root), "-q"]
        first = timed(compile_argv, env)
        reuse = min(timed(compile_argv, env) for _ in range(args.repeat))
        rebuild_argv = [sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from compiler.compile.stages import build; assert build(Path(sys.argv[1])).ok", str(root)]
        rebuild = min(timed(rebuild_argv, env) for _ in range(args.repeat))
    print(f"model folder: {args.size_mb} MiB of random files")
    print(f"first compile (builds and pushes everything):          {first:6.2f} s")
    print(f"recompile, recorded publishes reused (edgec):          {reuse:6.2f} s")
    print(f"building every artifact again (the peer: before reuse): {rebuild:6.2f} s")


if __name__ == "__main__":
    main()
