"""One function per subcommand: read flags, call the library, print through the console, return an exit code."""

from __future__ import annotations

import argparse
from pathlib import Path

from compiler.cli.console import Console
from compiler.diagnostics import ExitCode, exit_code_for, fail


def _root(args: argparse.Namespace) -> Path:
    from compiler.loader.discovery import find_root

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
    from compiler.analysis import analyze
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
    from compiler.starter import write_starter

    target = Path(args.directory)
    written = write_starter(target)
    console.note(f"created a spec repo in {target} ({len(written)} files); next: edgec validate --root {target}")
    return int(ExitCode.OK)


def _pending(args: argparse.Namespace, console: Console) -> int:
    raise fail("usage", f"`edgec {args.command}` is being integrated in this build")


plan = graph = render = compile_ = diff = _pending
