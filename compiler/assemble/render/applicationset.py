"""The fleet as one Argo CD ApplicationSet (`outputs: [argocd-applicationset]`), for a hub Argo CD.

One Application per edge (`argocd`) suits an Argo CD on every device. A hub Argo CD that manages the devices as
clusters would hold ten thousand Application objects that edgec rewrites; instead it holds one ApplicationSet
whose git files generator reads `edges/*/argocd-params.yaml` from the deployment repository and stamps out the
Applications itself. Decisions (README "Argo CD ApplicationSet"):

- Each edge's cluster is registered in the hub under the edge's name (`destination.name`), and the engine goes
  to a namespace named after the edge, as with the per-edge Application.
- The parameter file holds the chart reference, the labels and annotations and the values; the template is
  fixed and `templatePatch` inserts the per-edge maps with `toJson` (Go templates cannot emit a map as YAML).
  The chart comes from OCI exactly as in the per-edge Application, so both render the same engine.
- With a roll-out in the specs, the ApplicationSet uses the RollingSync strategy: one step per wave name, in
  roll-out order, selecting on `edgec.dev/wave`, then one step for every Application without a wave label
  (Argo CD's `NotIn` selects an Application that lacks the key). RollingSync turns off auto-sync of the
  Applications it manages and needs progressive syncs enabled in the controller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from compiler.assemble.render.documents import (
    ARGOCD_NAMESPACE,
    RELEASE_NAME,
    SELF_HEAL,
    edge_annotations,
)
from compiler.assemble.render.labels import MANAGED_BY, edge_labels
from compiler.assemble.render.values import ANNOTATION_PREFIX, EdgeRelease
from compiler.spec import naming

APPLICATIONSET_NAME = "edgec-fleet"
PARAMS_FILE = "argocd-params.yaml"
WAVE_LABEL = f"{ANNOTATION_PREFIX}wave"
_PATCH = """metadata:
  labels: {{ toJson .metadata.labels }}
  annotations: {{ toJson .metadata.annotations }}
spec:
  source:
    helm:
      valuesObject: {{ toJson .values }}
"""


def params_path(edge_folder: str) -> str:
    return f"{edge_folder}/{PARAMS_FILE}"


def edge_params(release: EdgeRelease, values: dict[str, Any]) -> dict[str, Any]:
    """The git files generator's parameters for one edge (`edges/<edge>/argocd-params.yaml`)."""
    return {
        "edge": release.edge,
        "namespace": release.edge,
        "chart": {
            "repoURL": naming.charts_location(release.registry),
            "name": release.pipeline,
            "version": release.chart_version,
        },
        "metadata": {"labels": edge_labels(release), "annotations": edge_annotations(release)},
        "values": values,
    }


def wave_order(rollouts: Iterable[Sequence[str]]) -> list[str]:
    """Wave names in roll-out order, each once: roll-outs in the order given, a name at its first appearance."""
    seen: dict[str, None] = {}
    for waves in rollouts:
        for name in waves:
            seen.setdefault(name, None)
    return list(seen)


def rolling_sync_steps(waves: Sequence[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": [name]}]} for name in waves
    ]
    steps.append({"matchExpressions": [{"key": WAVE_LABEL, "operator": "NotIn", "values": list(waves)}]})
    return steps


def argocd_applicationset(repo_url: str, revision: str, tree_path: str, waves: Sequence[str]) -> dict[str, Any]:
    """The ApplicationSet of the fleet; `tree_path` is the rendered tree's folder in the repository ("." = root)."""
    prefix = "" if tree_path in ("", ".") else tree_path.rstrip("/") + "/"
    spec: dict[str, Any] = {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"git": {
            "repoURL": repo_url,
            "revision": revision,
            "files": [{"path": f"{prefix}edges/*/{PARAMS_FILE}"}],
        }}],
        "template": {
            "metadata": {
                "name": "{{ .edge }}",
                "namespace": ARGOCD_NAMESPACE,
                # Deleting an Application (the edge was removed) deletes the engine too.
                "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            },
            "spec": {
                "project": "default",
                "source": {
                    "repoURL": "{{ .chart.repoURL }}",
                    "chart": "{{ .chart.name }}",
                    "targetRevision": "{{ .chart.version }}",
                    "helm": {"releaseName": RELEASE_NAME},
                },
                "destination": {"name": "{{ .edge }}", "namespace": "{{ .namespace }}"},
                "syncPolicy": {
                    "automated": {"prune": True, "selfHeal": SELF_HEAL},
                    "syncOptions": ["CreateNamespace=true"],
                },
            },
        },
        "templatePatch": _PATCH,
    }
    if waves:
        spec["strategy"] = {"type": "RollingSync", "rollingSync": {"steps": rolling_sync_steps(waves)}}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": APPLICATIONSET_NAME, "namespace": ARGOCD_NAMESPACE, "labels": dict(MANAGED_BY)},
        "spec": spec,
    }
