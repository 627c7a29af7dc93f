"""Mutation testing of the pure core, each module against its own unit tests (a developer command, not CI).

    python3 tools/mutation.py [MODULE ...] [--survivors] [--show]

MODULE is a key of `MODULES` (default: all, one after the other: the machine is shared). Each module runs mutmut
in its own scratch folder `.mutation/<module>/` (git-ignored): links to compiler/, tests/, schemas/ and
templates/ and a pyproject.toml whose `[tool.mutmut]` is the repository's plus that module's `only_mutate` and
test selection, so a mutant only counts as killed when the module's own tests kill it. mutmut runs each mutant
with `pytest -x` on just the tests that call the mutated function, under a CPU-time limit (`timeout_multiplier`
in pyproject.toml), so a mutant that loops forever ends as `timeout`, which counts as detected.

`EQUIVALENT` lists the mutants that cannot change behaviour, each with the reason; they leave the score's
denominator. The score is (killed + timeout) / (mutants - equivalent). `--survivors` re-runs only the mutants
that were not detected last time (after adding tests); `--show` prints the diff of every undetected mutant.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutation"
LINKED = ("compiler", "tests", "schemas", "templates")


@dataclass(frozen=True)
class Module:
    source: str  # the file mutated
    tests: tuple[str, ...]  # its own unit tests


MODULES: dict[str, Module] = {
    "graph": Module("compiler/analysis/graph/build.py", ("tests/analysis/graph",)),
    "rules": Module("compiler/analysis/schemadiff/rules.py", ("tests/analysis/schemadiff/test_schemadiff_rules.py",
                                                          "tests/analysis/schemadiff/test_schemadiff_messages.py")),
    "values": Module("compiler/assemble/render/values.py", ("tests/assemble/render/test_render_values.py",)),
    "compatibility": Module("compiler/analysis/compatibility.py", ("tests/analysis/test_compatibility.py",)),
}

#: (module, function, the mutated line as mutmut writes it, stripped) -> why the mutant cannot change behaviour.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("graph", "build_graph", "diagnostics = problems"):
        "the list is still empty there; `=` takes _forest's fresh list, which nothing else holds",
    ("graph", "_walk", "if stop is not None or stop != roots[edge.spec.publish]:"):
        "a stop is a publish with a replacer, never a root: the mutant only adds a None key nothing looks up",
    ("graph", "_rollouts", "out[name] = RolloutNode(name, tuple(sorted(replaced.get(name, None))),"):
        "roll-outs are walked only for publishes that replace one: the default is never used",
    ("graph", "_rollouts", "out[name] = RolloutNode(name, tuple(sorted(replaced.get(name, ))),"):
        "roll-outs are walked only for publishes that replace one: the default is never used",
    ("graph", "_layout", "roots = sorted(name for name in specs.publishes if name in replaced_by)"):
        "starting at every replaced publish repeats subtrees in the order, but each replaced publish's span "
        "still covers exactly its subtree (roots' spans are never asked for): only the work grows",
    ("graph", "_paused", "pending: bool = True,"): "the one caller always passes `pending`",
    ("graph", "_paused", "still = fed.get((old.pipeline, model), None)"): "None and 0 read alike (falsy)",
    ("graph", "_paused", "still = fed.get((old.pipeline, model), )"): "None and 0 read alike (falsy)",
    ("graph", "_gates", "found = gate.get(node) if (node is not None) or True else None"):
        "gate has no None key: gate.get(None) is None, as the else branch",
    ("graph", "_layout", "stack.extend((child, False) for child in sorted(children.get(name, ()), ))"):
        "only the order inside a span changes; every reader takes a replacement's edges sorted (EdgeSet.names)",
    ("graph", "_layout", "stack.extend((child, False) for child in sorted(children.get(name, ()), reverse=False))"):
        "only the order inside a span changes; every reader takes a replacement's edges sorted (EdgeSet.names)",
    ("graph", "_replacements",
     "for replaced, publish in sorted(replaced_by.items(), key=lambda item: (item[1], item[1])):"):
        "replaced_by is built in order of the replaced name, and the sort is stable: the same order",
    ("values", "pod_resources", "cpus = str(_number(release.engine.cpus + count / SIDEKICK_CPUS))"):
        "SIDEKICK_CPUS is 1.0 (the SDK's default): count * 1.0 and count / 1.0 are the same number",
    ("compatibility", "_acknowledge_hint",
     "return f\"{f.fix + '; or ' if (f.fix) or True else ''}accept it with `{accept}` on publish '{publish}'\""):
        "a failing finding always has a fix: every rule with an error verdict has one",
    ("compatibility", "_acknowledge_hint",
     "return f\"{f.fix + '; or ' if f.fix else 'XXXX'}accept it with `{accept}` on publish '{publish}'\""):
        "a failing finding always has a fix: every rule with an error verdict has one",
    ("compatibility", "_breaking", "f\"publish '{r.publish}' replaces '{r.replaces}'{against}\" + "
     "(f\"; {', '.join(fields)}\" if (fields) or True else \"\"),"):
        "a finding always has a field on at least one side, so `fields` is never empty",
    ("compatibility", "_breaking", "f\"publish '{r.publish}' replaces '{r.replaces}'{against}\" + "
     "(f\"; {', '.join(fields)}\" if fields else \"XXXX\"),"):
        "a finding always has a field on at least one side, so `fields` is never empty",
    ("compatibility", "_check", "old_models = dict(zip(lineage.names, lineage.models, strict=None))"):
        "names and models grow together: the lengths always match",
    ("compatibility", "_check", "old_models = dict(zip(lineage.names, lineage.models, ))"):
        "names and models grow together: the lengths always match",
    ("compatibility", "_check", "old_models = dict(zip(lineage.names, lineage.models, strict=False))"):
        "names and models grow together: the lengths always match",
    ("compatibility", "_lineage", "seen.add(None)"):
        "a publish has one replacer, so the walk is over a tree and meets every publish once",
    ("compatibility", "check_replacements", "lineage = _Lineage() if (not older) and False else fresh(name)"):
        "fresh(root) is the root alone, and adding the root again takes its own entry over: the same lineage",
    ("compatibility", "check_replacements",
     "if successor is not None and successor in waiting or name in predecessors.get(successor, ()):"):
        "every publish is in `waiting` and a predecessor of its replacer: both forms hold exactly when there is "
        "a successor",
    ("compatibility", "check_replacements",
     "if successor is not None or successor in waiting and name in predecessors.get(successor, ()):"):
        "every publish is in `waiting` and a predecessor of its replacer: both forms hold exactly when there is "
        "a successor",
    ("compatibility", "check_replacements",
     "if successor is not None and successor in waiting and name in predecessors.get(successor, None):"):
        "every publish has an entry in predecessors: the default is never used",
    ("compatibility", "check_replacements",
     "if successor is not None and successor in waiting and name in predecessors.get(successor, ):"):
        "every publish has an entry in predecessors: the default is never used",
}

DETECTED = {"killed", "timeout"}


def _toml(value: object) -> str:
    """A TOML value for the strings, numbers, booleans and lists of them that the config holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _prepare(name: str, module: Module, fresh: bool) -> Path:
    folder = SCRATCH / name
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for linked in LINKED:
        link = folder / linked
        if not link.is_symlink():
            link.symlink_to(ROOT / linked, target_is_directory=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = project["tool"]["pytest"]["ini_options"]
    mutmut = dict(project["tool"]["mutmut"])
    mutmut["only_mutate"] = [module.source]
    mutmut["pytest_add_cli_args_test_selection"] = list(module.tests)
    lines = ["[tool.pytest.ini_options]", *(f"{k} = {_toml(v)}" for k, v in pytest_options.items()),
             "", "[tool.mutmut]", *(f"{k} = {_toml(v)}" for k, v in mutmut.items())]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _mutmut(folder: Path, *args: str) -> str:
    """mutmut's output; a `run` writes its progress to `<folder>/run.log` instead."""
    command = [sys.executable, "-c", "from mutmut.__main__ import cli; cli()", *args]
    if args[0] == "run":
        with open(folder / "run.log", "w", encoding="utf-8") as log:
            code = subprocess.run(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
        output = ""
    else:
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        code, output = result.returncode, result.stdout
        if code != 0:
            sys.stderr.write(result.stdout + result.stderr)
    if code != 0:
        raise SystemExit(f"mutmut {args[0]} failed in {folder} (exit {code}; see run.log)")
    return output


def _statuses(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in _mutmut(folder, "results", "--all", "true").splitlines():
        mutant, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in mutant:
            out[mutant] = status
    return out


def _function(mutant: str) -> str:
    """`compiler.x.y.x__break_cycles__mutmut_3` -> `_break_cycles`; methods are `xǁClassǁmethod`."""
    key = mutant.rpartition(".")[2].rpartition("__mutmut_")[0]
    return key[2:] if key.startswith("x_") else key[1:].replace("ǁ", ".").strip(".")


#: `mutmut show` for many mutants in one process (one `mutmut show` each costs a second of start-up).
_SHOW = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
print(json.dumps({name: get_diff_for_mutant(name, path=find_mutant(name).path) for name in sys.argv[1:]}))
"""


def _diffs(folder: Path, mutants: list[str]) -> dict[str, str]:
    if not mutants:
        return {}
    result = subprocess.run([sys.executable, "-c", _SHOW, *mutants], cwd=folder, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"could not read the mutants' diffs in {folder}")
    diffs: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
    return diffs


def _mutated_line(diff: str) -> str:
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(added)


def run(name: str, survivors: bool, show: bool) -> dict[str, int]:
    module = MODULES[name]
    folder = _prepare(name, module, fresh=not survivors)
    if survivors:
        again = [m for m, status in _statuses(folder).items() if status not in DETECTED]
        if again:
            _mutmut(folder, "run", "--max-children", "1", *again)
    else:
        _mutmut(folder, "run", "--max-children", "1")
    statuses = _statuses(folder)
    counts = {"killed": 0, "timeout": 0, "survived": 0, "no tests": 0, "equivalent": 0, "other": 0}
    undetected: list[tuple[str, str, str]] = []
    diffs = _diffs(folder, [m for m, status in statuses.items() if status not in DETECTED])
    for mutant, status in sorted(statuses.items(), key=lambda item: _order(item[0])):
        if status in DETECTED:
            counts[status] += 1
            continue
        diff = diffs[mutant]
        if (name, _function(mutant), _mutated_line(diff)) in EQUIVALENT:
            counts["equivalent"] += 1
            continue
        counts[status if status in counts else "other"] += 1
        undetected.append((mutant, status, diff))
    for mutant, status, diff in undetected:
        print(f"--- {status}: {mutant}")
        if show:
            print(diff.rstrip())
    used = {key for key in EQUIVALENT if key[0] == name}
    total = len(statuses)
    counts["total"] = total
    scored = total - counts["equivalent"]
    score = 100 * (counts["killed"] + counts["timeout"]) / scored if scored else 100.0
    print(f"{name} ({module.source}, {datetime.now(UTC):%Y-%m-%d}): {counts['killed']} killed, "
          f"{counts['timeout']} timeout, {counts['survived']} survived, {counts['no tests']} no tests, "
          f"{counts['equivalent']} equivalent (of {len(used)} listed), {counts['other']} other; "
          f"{counts['killed'] + counts['timeout']}/{scored} = {score:.1f}% of {total} mutants")
    return counts


def _order(mutant: str) -> tuple[str, int]:
    head, _, number = mutant.rpartition("__mutmut_")
    return head, int(number) if number.isdigit() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"one of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--survivors", action="store_true", help="re-run only the mutants left undetected")
    parser.add_argument("--show", action="store_true", help="print the diff of every undetected mutant")
    args = parser.parse_args(argv)
    unknown = [name for name in args.modules if name not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    for name in args.modules or MODULES:
        run(name, args.survivors, args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

