"""The plan in the deployment repository: a root summary that grows with the publishes, not with the edges, and
one record per edge in the edge's own folder.

A one-edge change then rewrites that edge's folder and the root summary only: `plan.json` at the root keeps
every publish, pipeline, replacement, roll-out and assay with edge *counts* where the full plan lists edge names
(`edgeCount`, `logEdgeCount`, `unassignedCount`), and at most `DIAGNOSTICS_KEPT` diagnostics; each edge's entry of
the full plan (publish, history, log pipelines, wave, operator commands) is `edges/<edge>/plan.json`. `PLAN.md`
is rendered from the same summary. `edgec plan --format json` still prints the full plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.assemble.render.files import edge_dir
from compiler.assemble.render.serialize import to_json
from compiler.assemble.render.templating import render

#: `format` of the root plan.json written this way (a plan.json without it lists every edge under `edges`).
SUMMARY_FORMAT = "edgec.dev/deployment-plan/v2"
#: The name of each edge's record inside its folder.
EDGE_RECORD_NAME = "plan.json"
#: Diagnostics kept in the root summary (the rest are counted in `diagnosticsOmitted`).
DIAGNOSTICS_KEPT = 100

#: Sections of PLAN.md, in the order of SPEC section 4; other keys of the summary go to "Other".
PLAN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("publishes", "Publishes"),
    ("pipelines", "Pipelines"),
    ("replacements", "Replacements"),
    ("rollouts", "Roll-outs"),
    ("assays", "Assays"),
    ("clientImpacts", "Client impacts"),
    ("diagnostics", "Diagnostics"),
)
_HEAD = {"format", "summary", "diagnosticsOmitted"}


def edge_record_path(edge: str) -> str:
    return f"{edge_dir(edge)}/{EDGE_RECORD_NAME}"


def edge_record(entry: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> bytes:
    """`edges/<edge>/plan.json`: the edge's entry of the full plan, plus `extra` keys (its operator commands)."""
    return to_json({**entry, **(extra or {})}).encode()


def _counted(entry: Mapping[str, Any], lists: Mapping[str, str]) -> dict[str, Any]:
    """`entry` with each list named in `lists` replaced by its length under the mapped name."""
    out = {key: value for key, value in entry.items() if key not in lists}
    for key, name in lists.items():
        value = entry.get(key)
        if isinstance(value, Sequence) and not isinstance(value, str):
            out[name] = len(value)
    return out


def deployment_summary(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The root plan.json: the full plan without a list of edge names anywhere (counts instead)."""
    edges = plan.get("edges") or []
    summary = {**(plan.get("summary") or {}), "edges": len(edges), "publishes": len(plan.get("publishes") or [])}
    out: dict[str, Any] = {"format": SUMMARY_FORMAT, "summary": summary}
    for key, value in plan.items():
        if key in ("edges", "summary"):
            continue
        if key == "publishes":
            out[key] = [_counted(p, {"edges": "edgeCount"}) for p in value]
        elif key == "pipelines":
            out[key] = [_counted(p, {"edges": "edgeCount", "logEdges": "logEdgeCount"}) for p in value]
        elif key in ("replacements", "clientImpacts"):
            out[key] = [_counted(r, {"edges": "edgeCount"}) for r in value]
        elif key == "rollouts":
            out[key] = [{**_counted(r, {"unassigned": "unassignedCount"}),
                         "waves": [_counted(w, {"edges": "edgeCount"}) for w in r.get("waves", [])]}
                        for r in value]
        elif key == "diagnostics":
            out[key] = list(value[:DIAGNOSTICS_KEPT])
            if len(value) > DIAGNOSTICS_KEPT:
                out["diagnosticsOmitted"] = len(value) - DIAGNOSTICS_KEPT
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class _Section:
    title: str
    count: int
    data: Any


def render_plan_md(summary: Mapping[str, Any]) -> bytes:
    """PLAN.md: a table of counts, then one YAML block per section of the root summary (`deployment_summary`)."""
    counts = summary.get("summary") or {}
    sections = []
    for key, title in PLAN_SECTIONS:
        data = summary.get(key) or []
        sections.append(_Section(title, _count(data), data))
    known = {key for key, _ in PLAN_SECTIONS} | _HEAD
    other = {key: summary[key] for key in sorted(summary) if key not in known}
    if other:
        sections.append(_Section("Other", len(other), other))
    return render("PLAN.md.j2", sections=sections, edges=int(counts.get("edges", 0)),
                  omitted=int(summary.get("diagnosticsOmitted", 0)), record=edge_record_path("<edge>"))


def _count(data: Any) -> int:
    return len(data) if isinstance(data, Sequence | Mapping) and not isinstance(data, str) else 1
