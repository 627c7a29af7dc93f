"""Plan time (graph + compatibility check + plan) at 1x, 2x, 4x and 8x fleet sizes, with the growth ratio from
one size to the next: linear code shows ~2x per doubling, quadratic code ~4x. `python bench/plan_scaling.py [--json]`.

Cases: `wide` (short chains of 5 publishes) and `long-chain` (20 chains whose length doubles up to 1,000
publishes, edges added at random positions, so a per-edge walk of the chain would be quadratic). 8x is
100,000 edges and 20,000 publishes. `wide-waves` and `long-waves` are the same fleets with staged roll-outs
(four waves: labels, percent, tags, rest; at different promotion stages): on every replacement of the short
chains, on the last three of each long chain. Roll-outs cost one wave lookup per edge and roll-out on its way,
so these stay linear as long as the roll-outs per chain do not grow with the fleet. `to_json` is timed for the
wide cases only: for long chains its output (every edge's full history) is itself quadratic in size.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fleet import FleetShape, fleet_specs
from compiler.analysis.compatibility import check_replacements
from compiler.analysis.graph import build_graph
from compiler.analysis.plan import build_plan

BASE_EDGES, BASE_PUBLISHES = 12_500, 2_500


CASES = ("wide", "long-chain", "wide-waves", "long-waves")


def shapes(case: str, factor: int) -> FleetShape:
    rollouts = {"wide-waves": 4, "long-waves": 3}.get(case, 0)
    if case.startswith("wide"):
        return FleetShape(BASE_EDGES * factor, BASE_PUBLISHES * factor, chain_length=5, rollouts=rollouts)
    return FleetShape(BASE_EDGES * factor, BASE_PUBLISHES * factor, chain_length=125 * factor, rollouts=rollouts)


def _best(fn, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--factors", default="1,2,4,8")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    print(f"{'case':<12}{'size':>5}{'edges':>9}{'publishes':>11}{'chain':>7}{'graph s':>9}{'compat s':>9}"
          f"{'plan s':>8}{'total s':>9}{'ratio':>7}{'json s':>8}")
    for case in args.cases.split(","):
        previous = None
        for factor in factors:
            shape = shapes(case, factor)
            specs = fleet_specs(shape)
            t_graph, built = _best(lambda specs=specs: build_graph(specs), args.repeat)
            graph, diagnostics = built  # type: ignore[misc]
            t_check, judged = _best(lambda s=specs, g=graph: check_replacements(s, g), args.repeat)
            checks = judged[0]  # type: ignore[index]
            t_plan, plan = _best(lambda s=specs, g=graph, c=checks, d=diagnostics: build_plan(s, g, c, d,
                                                                                              registry="reg"),
                                 args.repeat)
            total = t_graph + t_check + t_plan
            ratio = f"{total / previous:.2f}x" if previous else "-"
            t_json = f"{_best(plan.to_json, 1)[0]:.2f}" if case.startswith("wide") else "n/a"  # type: ignore[attr-defined]
            print(f"{case:<12}{factor:>4}x{shape.edges:>9,}{shape.chains * shape.chain_length:>11,}"
                  f"{shape.chain_length:>7}{t_graph:>9.3f}{t_check:>9.3f}{t_plan:>8.3f}{total:>9.3f}{ratio:>7}"
                  f"{t_json:>8}")
            previous = total


if __name__ == "__main__":
    main()
