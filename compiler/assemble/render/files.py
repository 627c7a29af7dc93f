"""Rendered files of one edge location (`edges/<edge>/...`)."""

from __future__ import annotations

from collections.abc import Sequence

from compiler.assemble.render import applicationset, documents
from compiler.assemble.render.templating import render
from compiler.assemble.render.values import EdgeRelease, helm_values
from compiler.spec.model import OutputKind


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
