"""The `edgec` command line: flags become calls, outcomes become exit codes. Nothing else lives here.

Imports are lazy: `edgec validate` runs as a pre-commit hook, so it must not pay for oras, git or jinja2.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from compiler import __version__
from compiler.cli.console import Console
from compiler.diagnostics import Diagnostic, EdgecError, ExitCode

if TYPE_CHECKING:
    from compiler.compile.compose import Adapters

Handler = Callable[[argparse.Namespace, Console], int]


def _common(formats: Sequence[str], default: str) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=formats, default=default, help=f"output format (default: {default})")
    common.add_argument("--root", metavar="DIR",
                        help="spec root (default: the nearest folder upward holding edgec.yaml, else .)")
    common.add_argument("--no-color", action="store_true", help="no ANSI colours (also: NO_COLOR set)")
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true", help="more detail; tracebacks of internal errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    from compiler.adapters.tree_writer import MANIFEST
    from compiler.cli import handlers
    from compiler.report import compile_outcome, diagnostics, findings, graph_format, plan_formats

    parser = argparse.ArgumentParser(
        prog="edgec", description="Compile declarative in-line model updates into GitOps deployments.")
    parser.add_argument("--version", action="version", version=f"edgec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    diag_formats = tuple(diagnostics.PRINTERS)

    p = sub.add_parser("validate", parents=[_common(diag_formats, "text")],
                       help="check specs: schema, references, graph and compatibility policy")
    p.add_argument("files", nargs="*", metavar="FILES", help="report only on these files (pre-commit passes them)")
    p.set_defaults(handler=handlers.validate)

    p = sub.add_parser("plan", parents=[_common(tuple(plan_formats.PRINTERS), "text")],
                       help="show what the specs do to every edge location")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="as terraform: exit 0 when nothing changes against the deployment repo, 2 when something "
                        "does, 1 on any error (usage errors included); not with --offline")
    p.add_argument("--out", metavar="FILE", help="also write the JSON plan to FILE")
    p.add_argument("--offline", action="store_true",
                   help="do not read the deployment repository: no comparison with what is deployed")
    p.set_defaults(handler=handlers.plan)

    p = sub.add_parser("graph", parents=[_common(tuple(graph_format.PRINTERS), "mermaid")],
                       help="print the edge-transfer graph as Mermaid or Graphviz source")
    p.set_defaults(handler=handlers.graph)

    p = sub.add_parser("render", parents=[_common(diag_formats, "text")], help="write the rendered tree to DIR")
    p.add_argument("--out", metavar="DIR", required=True,
                   help=f"output folder, outside the spec root; new, empty, or one edgec rendered into before. edgec "
                        f"replaces only the files it wrote there (listed in DIR/{MANIFEST}) and never deletes or "
                        "overwrites any other file")
    p.set_defaults(handler=handlers.render)

    p = sub.add_parser("compile", parents=[_common(tuple(compile_outcome.PRINTERS), "text")],
                       help="validate, plan, push artifacts, render and commit to the deployment repo")
    p.add_argument("--dry-run", action="store_true", help="stop before push and commit; print what would change")
    p.set_defaults(handler=handlers.compile_)

    p = sub.add_parser("diff", parents=[_common(tuple(findings.PRINTERS), "text")],
                       help="diff the schemas of two publishes (or PIPELINE:VERSION pairs)")
    p.add_argument("old", metavar="OLD", help="publish name or PIPELINE:VERSION")
    p.add_argument("new", metavar="NEW", help="publish name or PIPELINE:VERSION")
    p.add_argument("--fail-on", choices=("error", "warning"), default="error",
                   help="exit 1 when a finding reaches this severity for clients or the log (default: error)")
    p.set_defaults(handler=handlers.diff)

    p = sub.add_parser("promote", parents=[_common(diag_formats, "text")],
                       help="promote a roll-out's next wave (rewrites rollout.promoted in its spec file)")
    p.add_argument("publish", metavar="PUBLISH", help="the publish whose roll-out to promote")
    p.add_argument("--to", metavar="WAVE", help="promote up to WAVE; an earlier wave rolls the later ones back")
    p.add_argument("--force", action="store_true", help="promote even though the soak time has not passed")
    p.set_defaults(handler=handlers.promote)

    p = sub.add_parser("schema", parents=[_common(("json",), "json")], help="print the JSON Schema of spec files")
    p.set_defaults(handler=handlers.schema)

    p = sub.add_parser("init", parents=[_common(diag_formats, "text")], help="create a new spec repo in DIR")
    p.add_argument("directory", metavar="DIR")
    p.set_defaults(handler=handlers.init)
    return parser


def _detailed_exitcode(argv: Sequence[str]) -> bool:
    """`plan --detailed-exitcode`: exit 2 means "changes" there, so every failure, usage included, exits 1."""
    words = list(argv)
    return "plan" in words and "--detailed-exitcode" in words[words.index("plan"):]


def main(argv: Sequence[str] | None = None, *, adapters: Adapters | None = None) -> int:
    """`adapters`: the registry and deployment repository to use instead of the real ones (tests hand in fakes)."""
    words = list(sys.argv[1:] if argv is None else argv)
    code, failed = _run(words, adapters)
    if failed and _detailed_exitcode(words):
        return int(ExitCode.INVALID)
    return code


def _run(argv: Sequence[str], adapters: Adapters | None) -> tuple[int, bool]:
    """(exit code, whether the run failed outside the handler's own verdict)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # argparse prints a usage error itself and exits 2
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(ExitCode.USAGE)
        return code, code != 0
    args.adapters = adapters
    console = Console.create(no_color=args.no_color, quiet=args.quiet, verbose=args.verbose)
    handler: Handler = args.handler
    try:
        return int(handler(args, console)), False
    except EdgecError as exc:
        _report_abort(console, args.format, exc.diagnostic)
        return int(exc.exit_code), True
    except KeyboardInterrupt:
        console.err.write("edgec: interrupted\n")
        return 130, True
    except BrokenPipeError:
        return int(ExitCode.OK), False
    except Exception as exc:  # a bug: say so plainly, never dump a traceback unless asked
        if args.verbose:
            traceback.print_exc(file=console.err)
        console.err.write(f"edgec: internal error: {type(exc).__name__}: {exc}\n"
                          "  hint: this is a bug in edgec; rerun with -v for the traceback and report it\n")
        return int(ExitCode.ENVIRONMENT), True


def _report_abort(console: Console, fmt: str, diagnostic: Diagnostic) -> None:
    """An aborting error in the command's machine format on stdout (json, github, sarif), always as text on
    stderr for the person reading the log (except json and sarif, whose readers are programs)."""
    from compiler.report.diagnostics import PRINTERS, DiagnosticsReport, text_line

    if fmt in PRINTERS and fmt != "text":
        console.emit(PRINTERS, fmt, DiagnosticsReport([diagnostic]))
        if fmt in ("json", "sarif"):
            return
    console.err.write(text_line(diagnostic, color=console.color and console.err.isatty()) + "\n")


if __name__ == "__main__":
    sys.exit(main())
