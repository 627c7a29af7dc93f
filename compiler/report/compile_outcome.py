"""What `edgec compile` did, per `--format`: text, json, github and sarif."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.report.diagnostics import as_github, as_sarif, as_text, summary
from compiler.report.emit import Printers
from compiler.report.style import Style

if TYPE_CHECKING:
    from compiler.compile.stages import CompileResult


def outcome_document(outcome: CompileResult) -> dict[str, Any]:
    built = outcome.build
    return {
        "plan": built.plan.to_json() if built.plan else None,
        "changes": outcome.changes.to_json() if outcome.changes else None,
        "pushed": [{"reference": p.reference, "digest": p.digest, "uploaded": p.uploaded, "skipped": p.skipped}
                   for p in outcome.pushed],
        "commit": None if outcome.sync is None else {
            "sha": outcome.sync.commit, "url": outcome.sync.url, "branch": outcome.sync.branch,
            "files": list(outcome.sync.changed_files), "attempts": outcome.sync.attempts},
        "drift": [d.to_json() for d in outcome.drift],
        "dryRun": outcome.dry_run,
        "diagnostics": [d.to_json() for d in built.diagnostics],
    }


def status_line(outcome: CompileResult) -> str:
    """What happened to the registry and the deployment repository; empty when the build failed."""
    if not outcome.build.ok or outcome.build.plan is None:
        return ""
    if outcome.dry_run:
        return "Dry run: nothing pushed, nothing committed.\n"
    sync = outcome.sync
    if sync is not None and sync.commit:
        return (f"Committed {sync.commit[:12]} to {sync.url} ({sync.branch}): "
                f"{len(sync.changed_files)} files changed.\n")
    if sync is not None:
        return f"Deployment repository {sync.url} ({sync.branch}) is up to date: no commit.\n"
    return ""


def _text(outcome: CompileResult, style: Style) -> str:
    built = outcome.build
    out = as_text(built.diagnostics, color=style.color)
    if built.diagnostics and not style.quiet:
        out += summary(built.diagnostics, len(built.analysis.files)) + "\n"
    if built.ok and built.plan is not None and not style.quiet:
        from compiler.report.plan_text import render_plan_text

        out += render_plan_text(built.plan, color=style.color)
        if outcome.changes is not None:
            out += outcome.changes.summary() + "\n"
    return out + status_line(outcome)


def _json(outcome: CompileResult, style: Style) -> str:
    from compiler.assemble.render.serialize import to_json

    return to_json(outcome_document(outcome))


PRINTERS: Printers[CompileResult] = {
    "text": _text,
    "json": _json,
    "github": lambda outcome, style: as_github(outcome.build.diagnostics, style=style) + status_line(outcome),
    "sarif": lambda outcome, style: as_sarif(outcome.build.diagnostics, style=style),
}
