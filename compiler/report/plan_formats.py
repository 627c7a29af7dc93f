"""The plan's printers, one per `edgec plan --format`: text, json, markdown, github and sarif."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compiler.report.diagnostics import as_github, as_sarif, as_text
from compiler.report.emit import Printers
from compiler.report.style import Style

if TYPE_CHECKING:
    from compiler.analysis.deployed import Changes
    from compiler.analysis.plan import Plan
    from compiler.diagnostics import Diagnostic


@dataclass(frozen=True)
class PlanReport:
    """A plan, its JSON document (with `changes` when compared) and the comparison with the deployment repo."""

    plan: Plan
    document: Mapping[str, Any]
    changes: Changes | None = None
    drift: tuple[Diagnostic, ...] = ()  # `drift` warnings (SPEC section 8), also listed in `document`


def _text(report: PlanReport, style: Style) -> str:
    from compiler.report.plan_text import render_plan_text

    out = render_plan_text(report.plan, color=style.color)
    out += report.changes.summary() + "\n" if report.changes is not None else ""
    return out + as_text(list(report.drift), color=style.color)


def _json(report: PlanReport, style: Style) -> str:
    from compiler.assemble.render.serialize import to_json

    return to_json(report.document)


def _markdown(report: PlanReport, style: Style) -> str:
    from compiler.report.plan_markdown import render_plan_markdown

    return render_plan_markdown(report.plan, report.changes)


PRINTERS: Printers[PlanReport] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
    "github": lambda report, style: as_github([*report.plan.diagnostics, *report.drift], style=style),
    "sarif": lambda report, style: as_sarif([*report.plan.diagnostics, *report.drift], style=style),
}
