"""Rendered files: per edge location (`edges/<edge>/...`) and the plan summary (`PLAN.md`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.assemble.render import applicationset, documents
from compiler.assemble.render.templating import render
from compiler.assemble.render.values import EdgeRelease, helm_values
from compiler.spec.model import OutputKind

#: Sections of PLAN.md in the order of SPEC section 4; other keys of the plan go to "Other".
PLAN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("publishes", "Publishes"),
    ("edges", "Edges"),
    ("pipelines", "Pipelines"),
    ("replacements", "Replacements"),
    ("diagnostics", "Diagnostics"),
)


def edge_dir(edge: str) -> str:
    return f"edges/{edge}"


def render_edge_files(release: EdgeRelease, outputs: Sequence[OutputKind]) -> dict[str, bytes]:
    """The files of one edge location for the enabled outputs, keyed by path relative to the tree root."""
    values = helm_values(release)
    base = edge_dir(release.edge)
    files: dict[str, bytes] = {}
    kinds = set(outputs)
    if OutputKind.HELM_VALUES in kinds:
        files[f"{base}/values.yaml"] = render("values.yaml.j2", values=values)
    if OutputKind.ARGOCD in kinds:
        files[f"{base}/application.yaml"] = render(
            "application.yaml.j2", application=documents.argocd_application(release, values)
        )
    if OutputKind.FLUX in kinds:
        files[f"{base}/helmrelease.yaml"] = render(
            "helmrelease.yaml.j2",
            source=documents.flux_oci_repository(release),
            release=documents.flux_helm_release(release, values),
        )
    if OutputKind.ARGOCD_APPLICATIONSET in kinds:
        files[applicationset.params_path(base)] = render(
            "argocd-params.yaml.j2", params=applicationset.edge_params(release, values))
    return files


@dataclass(frozen=True)
class _Section:
    title: str
    count: int
    data: Any


def render_plan_md(plan: Mapping[str, Any]) -> bytes:
    """A human-readable summary of the JSON plan: one table of counts, then one YAML block per section."""
    sections = []
    for key, title in PLAN_SECTIONS:
        data = plan.get(key) or []
        sections.append(_Section(title, _count(data), data))
    known = {key for key, _ in PLAN_SECTIONS}
    other = {key: plan[key] for key in sorted(plan) if key not in known}
    if other:
        sections.append(_Section("Other", len(other), other))
    return render("PLAN.md.j2", sections=sections)


def _count(data: Any) -> int:
    return len(data) if isinstance(data, Sequence | Mapping) and not isinstance(data, str) else 1
