"""One function per subcommand: read flags, call the library, print through the console, return an exit code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.cli.console import Console
from compiler.diagnostics import ExitCode, exit_code_for, fail

if TYPE_CHECKING:
    from compiler.adapters.deploy import DeployRepository
    from compiler.analysis.plan.rollouts import WaveClock
    from compiler.compile.compose import Adapters
    from compiler.diagnostics import Diagnostic
    from compiler.load.spec_set import Specs


def _root(args: argparse.Namespace) -> Path:
    from compiler.load.discovery import CONFIG_FILE, find_root

    if args.root is None:
        found = find_root(Path.cwd())
        if found is None:
            raise fail("usage", f"no spec root: no {CONFIG_FILE} in {Path.cwd()} or any folder above it",
                       hint="create a spec repo with `edgec init DIR`, or name one with --root DIR")
        return found
    root = Path(args.root)
    if not root.is_dir():
        raise fail("usage", f"--root {args.root}: no such folder")
    return root.resolve()


def _only_files(root: Path, files: list[str]) -> set[str]:
    """FILES as the diagnostics name them (POSIX paths relative to the spec root), each resolved against the
    current folder whether or not --root is given; a FILE that does not exist or is outside the root is a
    usage error (pre-commit passes only existing files, so this is a mistyped command line)."""
    selected: set[str] = set()
    for name in files:
        path = Path(name).resolve()
        if not path.is_file():
            raise fail("usage", f"{name}: no such file")
        try:
            selected.add(path.relative_to(root).as_posix())
        except ValueError:
            raise fail("usage", f"{name} is outside the spec root {root}",
                       hint="name files below the spec root, or pass --root") from None
    return selected


def _shown_for_files(diagnostics: list[Diagnostic], wanted: set[str]) -> list[Diagnostic]:
    """What FILES report: their own diagnostics, and every cross-file diagnostic elsewhere in the root.

    Decided by measuring: validating FILES costs as much as validating the whole root (references resolve
    across every file either way), so the hook sees the whole root; it leaves out only the diagnostics that no
    change to FILES can cause (syntax and schema of other files), so a broken file elsewhere does not block a
    commit that does not touch it, while a rename in FILES that leaves dangling references elsewhere does.
    """
    from dataclasses import replace

    from compiler.load.load_root import SINGLE_FILE_CODES

    shown = []
    for d in diagnostics:
        if d.file is None or d.file in wanted:
            shown.append(d)
        elif d.code not in SINGLE_FILE_CODES:
            note = f"reported in {d.file}, outside the files named: a rule across files that they may have broken"
            shown.append(replace(d, hint=f"{d.hint}; {note}" if d.hint else note))
    return shown


def validate(args: argparse.Namespace, console: Console) -> int:
    from compiler.load.validate_cache import Validated, validate_cached
    from compiler.report.diagnostics import PRINTERS, DiagnosticsReport

    def run(spec_root: Path) -> Validated:
        from compiler.analysis.analyze import analyze  # only on a cache miss: pydantic and the schema are heavy

        return analyze(spec_root)

    root = _root(args)
    wanted = _only_files(root, args.files) if args.files else None
    outcome = validate_cached(root, run)
    shown = outcome.diagnostics
    if wanted is not None and any(d.file is not None and d.file not in wanted for d in shown):
        shown = _shown_for_files(shown, wanted)  # (imports the loader: only when there is something to filter)
    files = len(args.files) if args.files else outcome.files
    console.emit(PRINTERS, args.format, DiagnosticsReport(shown, files), root=root)
    return int(exit_code_for(shown))


def schema(args: argparse.Namespace, console: Console) -> int:
    from compiler.resources import schema_path

    console.write(schema_path().read_text(encoding="utf-8"))
    return int(ExitCode.OK)


def init(args: argparse.Namespace, console: Console) -> int:
    from compiler.cli.starter import write_starter

    target = Path(args.directory)
    written = write_starter(target)
    console.note(f"created a spec repo in {target} ({len(written)} files); next: edgec validate --root {target}")
    return int(ExitCode.OK)



def _print_diagnostics(console: Console, fmt: str, diagnostics: list[Diagnostic], root: Path,
                       *, files: int | None = None) -> None:
    from compiler.report.diagnostics import PRINTERS, DiagnosticsReport

    console.emit(PRINTERS, fmt, DiagnosticsReport(diagnostics, files if diagnostics else None), root=root)


def _adapters(args: argparse.Namespace, console: Console) -> Adapters:
    """The adapters `main` was handed (tests), else the real ones from the environment."""
    if getattr(args, "adapters", None) is not None:
        adapters: Adapters = args.adapters
        return adapters
    import os

    from compiler.compile.compose import real_adapters
    from compiler.report.progress import TtyProgress

    return real_adapters(os.environ, progress=TtyProgress() if console.interactive else None, warn=console.note)


def _wave_clocks(specs: Specs, repository: DeployRepository) -> dict[tuple[str, str], WaveClock]:
    """When each roll-out wave reached the deployment repository (empty without roll-outs: no history read;
    a repository that is not real git, as in unit tests, has no history either)."""
    if not any(p.spec.rollout for p in specs.publishes.values()):
        return {}
    from compiler.adapters.deploy import GitDeployRepository
    from compiler.adapters.deploy.history import wave_clocks

    return wave_clocks(repository) if isinstance(repository, GitDeployRepository) else {}


def promote(args: argparse.Namespace, console: Console) -> int:
    import time

    from compiler.adapters.spec_edit import set_promoted
    from compiler.analysis.analyze import analyze
    from compiler.analysis.promotion import decide

    root = _root(args)
    analysis = analyze(root)
    specs = analysis.specs
    if args.publish in specs.broken:
        _print_diagnostics(console, args.format, [d for d in analysis.diagnostics if d.is_error], root)
        return int(ExitCode.INVALID)
    clocks = _wave_clocks(specs, _adapters(args, console).deploy(specs)) if args.publish in specs.publishes else {}
    decision = decide(specs, analysis.graph, args.publish, args.to, force=args.force, clocks=clocks,
                      now=int(time.time()))
    if decision.refusal is not None:
        _print_diagnostics(console, args.format, [decision.refusal], root)
        return int(ExitCode.INVALID)
    if not decision.changes:
        console.note(f"{args.publish}: every wave is promoted already; nothing to do" if args.to is None
                     else f"{args.publish}: wave '{decision.after}' is promoted already; nothing to do")
        return int(ExitCode.OK)
    document = specs.documents[("Publish", args.publish)]
    edit = set_promoted(root / document.file, document.index, str(decision.after))
    result = analyze(root, replaced={document.file: edit.after})
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        _print_diagnostics(console, args.format, errors, root)
        console.note(f"not written: {document.file} would not validate with promoted: {decision.after}")
        return int(ExitCode.INVALID)
    edit.write()
    for reason in decision.overridden:
        console.err.write(f"warning: --force overrides the soak: {reason}\n")  # even with -q
    change = (f"rolls back {', '.join(decision.rolled_back)}" if decision.rolled_back
              else f"moves {', '.join(decision.moved)}")
    console.note(f"{document.file}: {args.publish} promoted to wave '{decision.after}' ({change}); "
                 "commit it, then edgec compile")
    return int(ExitCode.OK)


#: `plan --detailed-exitcode`, as terraform: 0 nothing changes, 1 an error of any kind, 2 something changes
#: (or drifted: SPEC section 8).
DETAILED_CHANGES = 2


def plan(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.assemble.render.serialize import to_json
    from compiler.compile.stages import changes_against, deployed_state, detect_drift
    from compiler.report.plan_formats import PRINTERS, PlanReport

    if args.detailed_exitcode and args.offline:
        raise fail("usage", "--detailed-exitcode cannot be combined with --offline: nothing would be compared",
                   hint="drop --offline, or drop --detailed-exitcode")
    root = _root(args)
    analysis = analyze(root)
    result = analysis.plan()
    changes = None
    drift: list[Diagnostic] = []
    if analysis.ok and not args.offline:
        import dataclasses
        import time

        from compiler.analysis.plan.rollouts import rollout_plans

        adapters = _adapters(args, console)
        state = adapters.deploy(analysis.specs).current()
        deployed = deployed_state(state)
        changes = changes_against(analysis, deployed)
        clocks = _wave_clocks(analysis.specs, adapters.deploy(analysis.specs))
        if clocks:
            result = dataclasses.replace(result, rollouts=rollout_plans(result.graph, clocks, int(time.time())))
    document = result.to_json()
    if changes is not None:
        document["changes"] = changes.to_json()
        found = detect_drift(state, deployed, adapters.store(analysis.specs), analysis)
        document["drift"] = [d.to_json() for d in found]
        drift = [d.diagnostic() for d in found]
    if args.out:
        from compiler.adapters.files import atomic_write

        try:
            atomic_write(Path(args.out), to_json(document).encode())
        except OSError as exc:
            raise fail("io-error", f"cannot write {args.out}: {exc.strerror or exc}") from exc
    console.emit(PRINTERS, args.format, PlanReport(result, document, changes, tuple(drift)), root=root)
    code = exit_code_for(analysis.diagnostics)
    if not args.detailed_exitcode:
        return int(code)
    if code != ExitCode.OK:
        return int(ExitCode.INVALID)
    return DETAILED_CHANGES if changes is not None and (changes.any or drift) else int(ExitCode.OK)


def graph(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.report.graph_format import PRINTERS

    root = _root(args)
    analysis = analyze(root)
    if not analysis.ok:
        _print_diagnostics(console, "text", analysis.diagnostics, root)
        return int(exit_code_for(analysis.diagnostics))
    console.emit(PRINTERS, args.format, analysis.graph, root=root)
    return int(ExitCode.OK)


def render(args: argparse.Namespace, console: Console) -> int:
    from compiler.adapters.tree_writer import write_tree
    from compiler.compile.stages import build

    root = _root(args)
    result = build(root)
    _print_diagnostics(console, args.format, result.diagnostics, root, files=len(result.analysis.files))
    if not result.ok:
        return int(exit_code_for(result.diagnostics))
    out = Path(args.out)
    write_tree(result.files, out, spec_root=root)
    console.note(f"rendered {len(result.files)} files into {out}")
    return int(ExitCode.OK)


def compile_(args: argparse.Namespace, console: Console) -> int:
    from compiler.adapters.deploy import GitSourceHistory, source_commit
    from compiler.compile.stages import compile_specs
    from compiler.report.compile_outcome import PRINTERS

    root = _root(args)
    outcome = compile_specs(root, adapters=_adapters(args, console), source_commit=source_commit(root),
                            dry_run=args.dry_run, stage=console.note, history=GitSourceHistory(root))
    console.emit(PRINTERS, args.format, outcome, root=root)
    return int(exit_code_for(outcome.build.diagnostics))


def diff(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.analysis.compatibility import diff_references
    from compiler.report.findings import PRINTERS, FindingsReport

    root = _root(args)
    specs = analyze(root).specs
    report = FindingsReport(args.old, args.new, diff_references(specs, args.old, args.new), args.fail_on)
    console.emit(PRINTERS, args.format, report, root=root)
    return int(ExitCode.INVALID if report.failing else ExitCode.OK)
