"""One function per subcommand: read flags, call the library, print through the console, return an exit code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.cli.console import Console
from compiler.diagnostics import ExitCode, exit_code_for, fail

if TYPE_CHECKING:
    from compiler.adapters.deploy import DeployRepository
    from compiler.adapters.oci.store import ArtifactStore
    from compiler.compile.stages import Build
    from compiler.diagnostics import Diagnostic
    from compiler.load.spec_set import Specs


def _root(args: argparse.Namespace) -> Path:
    from compiler.load.discovery import find_root

    if args.root is None:
        return find_root(Path.cwd())
    root = Path(args.root)
    if not root.is_dir():
        raise fail("usage", f"--root {args.root}: no such folder")
    return root.resolve()


def _only_files(root: Path, files: list[str]) -> set[str]:
    """FILES as the diagnostics name them: POSIX paths relative to the spec root."""
    selected: set[str] = set()
    for name in files:
        path = Path(name).resolve()
        try:
            selected.add(path.relative_to(root).as_posix())
        except ValueError:
            continue  # outside the spec root: nothing of ours to report there
    return selected


def validate(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.report import diagnostics as printers

    root = _root(args)
    analysis = analyze(root)
    shown = analysis.diagnostics
    if args.files:
        wanted = _only_files(root, args.files)
        shown = [d for d in shown if d.file is None or d.file in wanted]
    if args.format == "json":
        console.write(printers.as_json(shown))
    elif args.format == "github":
        console.write(printers.as_github(shown))
    else:
        console.write(printers.as_text(shown, color=console.color))
        if not console.quiet:
            console.write(printers.summary(shown, len(args.files) if args.files else len(analysis.files)) + "\n")
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



def _print_diagnostics(console: Console, fmt: str, diagnostics: list[Diagnostic], *, files: int | None = None) -> None:
    from compiler.report import diagnostics as printers

    if fmt == "json":
        console.write(printers.as_json(diagnostics))
    elif fmt == "github":
        console.write(printers.as_github(diagnostics))
    else:
        console.write(printers.as_text(diagnostics, color=console.color))
        if files is not None and not console.quiet and diagnostics:
            console.write(printers.summary(diagnostics, files) + "\n")


def _deploy_repository(specs: Specs) -> DeployRepository:
    from compiler.adapters.deploy import DeployTarget, GitDeployRepository

    return GitDeployRepository(DeployTarget.from_config(specs.root, specs.config.deploy_repo))


def plan(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.assemble.render.serialize import to_json
    from compiler.compile.stages import changes_against, deployed_state

    root = _root(args)
    analysis = analyze(root)
    result = analysis.plan()
    document = result.to_json()
    changes = None
    if analysis.ok and not args.offline:
        deployed = deployed_state(_deploy_repository(analysis.specs).current())
        changes = changes_against(analysis, deployed)
        document["changes"] = changes.to_json()
    if args.out:
        from compiler.adapters.files import atomic_write

        try:
            atomic_write(Path(args.out), to_json(document).encode())
        except OSError as exc:
            raise fail("io-error", f"cannot write {args.out}: {exc.strerror or exc}") from exc
    if args.format == "json":
        console.write(to_json(document))
    elif args.format == "markdown":
        from compiler.report.plan_markdown import render_plan_markdown

        console.write(render_plan_markdown(result))
    elif args.format == "github":
        _print_diagnostics(console, "github", analysis.diagnostics)
    else:
        from compiler.report.plan_text import render_plan_text

        console.write(render_plan_text(result, color=console.color))
        if changes is not None:
            console.write(changes.summary() + "\n")
    code = exit_code_for(analysis.diagnostics)
    if code == ExitCode.OK and args.detailed_exitcode and changes is not None and changes.any:
        return int(ExitCode.USAGE)  # terraform's convention: 2 = the plan changes something
    return int(code)


def graph(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.report.graph_format import to_dot, to_mermaid

    analysis = analyze(_root(args))
    if not analysis.ok:
        _print_diagnostics(console, "text", analysis.diagnostics)
        return int(exit_code_for(analysis.diagnostics))
    console.write(to_mermaid(analysis.graph) if args.format == "mermaid" else to_dot(analysis.graph))
    return int(ExitCode.OK)


def render(args: argparse.Namespace, console: Console) -> int:
    from compiler.adapters.tree_writer import write_tree
    from compiler.compile.stages import build

    result = build(_root(args))
    _print_diagnostics(console, args.format, result.diagnostics, files=len(result.analysis.files))
    if not result.ok:
        return int(exit_code_for(result.diagnostics))
    out = Path(args.out)
    write_tree(result.files, out)
    console.note(f"rendered {len(result.files)} files into {out}")
    return int(ExitCode.OK)


def compile_(args: argparse.Namespace, console: Console) -> int:
    import os

    from compiler.adapters.deploy import source_commit
    from compiler.assemble.render.serialize import to_json
    from compiler.compile.stages import compile_specs

    root = _root(args)

    def store(result: Build) -> ArtifactStore:
        from compiler.adapters.oci.layout import LayoutStore
        from compiler.report.progress import TtyProgress

        progress = TtyProgress() if console.interactive else None
        specs = result.analysis.specs
        if specs.config.registry is None:
            return LayoutStore(specs.root / ".edgec" / "oci", progress=progress)
        from compiler.adapters.oci.credentials import credentials_from_environment
        from compiler.adapters.oci.registry import RegistryStore

        host = specs.config.registry.split("/", 1)[0]
        return RegistryStore(specs.config.registry, insecure=specs.config.insecure_registry,
                             credentials=credentials_from_environment(os.environ, host), progress=progress)

    outcome = compile_specs(root, store=store, deploy=lambda b: _deploy_repository(b.analysis.specs),
                            source_commit=source_commit(root), dry_run=args.dry_run, stage=console.note)
    built = outcome.build
    if args.format == "json":
        document = {
            "plan": built.plan.to_json() if built.plan else None,
            "changes": outcome.changes.to_json() if outcome.changes else None,
            "pushed": [{"reference": p.reference, "digest": p.digest, "uploaded": p.uploaded, "skipped": p.skipped}
                       for p in outcome.pushed],
            "commit": None if outcome.sync is None else {
                "sha": outcome.sync.commit, "url": outcome.sync.url, "branch": outcome.sync.branch,
                "files": list(outcome.sync.changed_files), "attempts": outcome.sync.attempts},
            "dryRun": outcome.dry_run,
            "diagnostics": [d.to_json() for d in built.diagnostics],
        }
        console.write(to_json(document))
        return int(exit_code_for(built.diagnostics))
    _print_diagnostics(console, args.format, built.diagnostics, files=len(built.analysis.files))
    if not built.ok or built.plan is None:
        return int(exit_code_for(built.diagnostics))
    if args.format == "text" and not console.quiet:
        from compiler.report.plan_text import render_plan_text

        console.write(render_plan_text(built.plan, color=console.color))
        if outcome.changes is not None:
            console.write(outcome.changes.summary() + "\n")
    if outcome.dry_run:
        console.write("Dry run: nothing pushed, nothing committed.\n")
    elif outcome.sync is not None and outcome.sync.commit:
        console.write(f"Committed {outcome.sync.commit[:12]} to {outcome.sync.url} ({outcome.sync.branch}): "
                      f"{len(outcome.sync.changed_files)} files changed.\n")
    elif outcome.sync is not None:
        console.write(f"Deployment repository {outcome.sync.url} ({outcome.sync.branch}) is up to date: "
                      "no commit.\n")
    return int(exit_code_for(built.diagnostics))


def diff(args: argparse.Namespace, console: Console) -> int:
    from compiler.analysis.analyze import analyze
    from compiler.analysis.compatibility import resolve_schemas
    from compiler.analysis.schemadiff import diff_schemas
    from compiler.assemble.render.serialize import to_json
    from compiler.report.findings import findings_text

    analysis = analyze(_root(args))
    specs = analysis.specs
    old, new = resolve_schemas(specs, args.old), resolve_schemas(specs, args.new)
    findings = diff_schemas(*old, *new)
    threshold = {"error": ("error",), "warning": ("error", "warning")}[args.fail_on]
    failing = [f for f in findings if str(f.clients) in threshold or str(f.log) in threshold]
    if args.format == "json":
        console.write(to_json({"old": args.old, "new": args.new, "findings": [f.to_json() for f in findings]}))
    elif args.format == "github":
        from compiler.report.findings import findings_github

        console.write(findings_github(findings, threshold))
    else:
        console.write(findings_text(findings, color=console.color))
        if not console.quiet:
            console.write(f"{len(findings)} finding{'s' * (len(findings) != 1)}, {len(failing)} at or above "
                          f"{args.fail_on} ({args.old} -> {args.new})\n")
    return int(ExitCode.INVALID if failing else ExitCode.OK)
