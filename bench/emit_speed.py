"""CPU time of the direct YAML emitter next to ruamel's emitter (its peer and reference) on the same documents.

`python bench/emit_speed.py [--resources 2000] [--repeat 3]`: renders a generated spec repository
(`bench/generate_specs.py`) once, records every document handed to the templates' `to_yaml`, then serialises all
of them with `serialize.to_yaml` (direct) and `serialize.ruamel_yaml` (ruamel), interleaved, best of `--repeat`,
and checks the two texts are identical.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate_specs import Shape, write
from compiler.assemble.render import serialize, templating
from compiler.compile.stages import build


def recorded_documents(root: Path) -> tuple[list[Any], int]:
    documents: list[Any] = []
    filters = templating.environment().filters
    original = filters["to_yaml"]
    filters["to_yaml"] = lambda obj: (documents.append(obj), original(obj))[1]
    try:
        built = build(root)
    finally:
        filters["to_yaml"] = original
    if not built.ok:
        raise SystemExit(f"the generated repository does not build: {built.diagnostics[:3]}")
    return documents, len(built.analysis.specs.edges)


def cpu(fn: Callable[[Any], str], documents: list[Any]) -> tuple[float, list[str]]:
    start = time.process_time()
    texts = [fn(d) for d in documents]
    return time.process_time() - start, texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), Shape(args.resources))
        documents, edges = recorded_documents(Path(tmp))
    best = {"direct": float("inf"), "ruamel": float("inf")}
    for _ in range(args.repeat):
        t_direct, direct = cpu(serialize.to_yaml, documents)
        t_ruamel, reference = cpu(serialize.ruamel_yaml, documents)
        if direct != reference:
            raise SystemExit("the direct emitter and ruamel disagree")
        best["direct"], best["ruamel"] = min(best["direct"], t_direct), min(best["ruamel"], t_ruamel)
    size = sum(len(t) for t in reference)
    print(f"{len(documents):,} documents ({edges:,} edges, {size / 1e6:.1f} MB of YAML), identical text")
    for name, seconds in best.items():
        print(f"{name:<7}{seconds:8.3f} s CPU  {seconds / edges * 1000:7.2f} ms per edge")
    print(f"direct is {best['ruamel'] / best['direct']:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
