"""The GitOps documents of one edge location, as plain dicts (serialised by the templates' `to_yaml`).

Layout decisions (README "Rendered tree"):
- Each edge device runs its own GitOps agent watching `edges/<edge>/`, so the destination is the agent's own
  cluster (`https://kubernetes.default.svc`) and the engine goes to a namespace named after the edge.
- The Helm release name is the same on every edge (`edge-engine`): it stays the same when the edge moves to
  another pipeline (another chart), so a replacement is a `helm upgrade` of the same release, as in Wallaroo.
- Argo CD: the chart is pulled from `<registry>/charts` (no scheme, the Helm-OCI form: the Argo CD repository
  Secret for it sets `type: helm` and `enableOCI: "true"` and carries the credentials), chart `<pipeline>`,
  version `0.0.1-<version>`, values inline in `helm.valuesObject`. Argo CD pins by version only; the chart
  digest is recorded in an annotation and the version is immutable (edgec.lock.json).
- Flux: an `OCIRepository` pinned by digest (tag kept for readers) selecting the Helm chart layer, plus a
  `HelmRelease` using `chartRef`; both live in `flux-system`, the release goes to the edge namespace.
"""

from __future__ import annotations

from typing import Any

from compiler.assemble.render.labels import edge_labels
from compiler.assemble.render.serialize import to_json
from compiler.assemble.render.values import ANNOTATION_PREFIX, EdgeRelease
from compiler.spec import naming

RELEASE_NAME = "edge-engine"
IN_CLUSTER = "https://kubernetes.default.svc"
ARGOCD_NAMESPACE = "argocd"
FLUX_NAMESPACE = "flux-system"
FLUX_INTERVAL = "10m"
#: A kubernetes.io/dockerconfigjson Secret in flux-system for the chart registry (same name as the chart's
#: default image pull Secret).
FLUX_REGISTRY_SECRET = "edge-oci-pull-secret"
#: One drift policy for both agents (SPEC section 8): a change made to the engine's objects behind the GitOps
#: agent's back is reverted to what the deployment repository says. Argo CD heals it (`selfHeal`, with `prune`
#: for objects removed from the chart); Flux's helm-controller detects it and corrects it (`driftDetection`).
SELF_HEAL = True
DRIFT_DETECTION = "enabled"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"


def edge_annotations(release: EdgeRelease) -> dict[str, str]:
    out = {
        f"{ANNOTATION_PREFIX}publish": release.publish,
        f"{ANNOTATION_PREFIX}version": release.version,
        f"{ANNOTATION_PREFIX}tags": to_json(list(release.tags), indent=None),
    }
    if release.chart_digest:
        out[f"{ANNOTATION_PREFIX}chart-digest"] = release.chart_digest
    return out


def argocd_application(release: EdgeRelease, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": release.edge,
            "namespace": ARGOCD_NAMESPACE,
            "labels": edge_labels(release),
            "annotations": edge_annotations(release),
            # Deleting the Application (the edge was removed) deletes the engine too.
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": naming.charts_location(release.registry),
                "chart": release.pipeline,
                "targetRevision": release.chart_version,
                "helm": {"releaseName": RELEASE_NAME, "valuesObject": values},
            },
            "destination": {"server": IN_CLUSTER, "namespace": release.edge},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": SELF_HEAL},
                "syncOptions": ["CreateNamespace=true"],
            },
        },
    }


def flux_oci_repository(release: EdgeRelease) -> dict[str, Any]:
    ref: dict[str, str] = {"tag": release.chart_version}
    if release.chart_digest:
        ref["digest"] = release.chart_digest  # takes precedence over the tag
    spec: dict[str, Any] = {
        "interval": FLUX_INTERVAL,
        "url": naming.chart_url(release.registry, release.pipeline),
        "ref": ref,
        "layerSelector": {"mediaType": HELM_CHART_LAYER, "operation": "copy"},
        "secretRef": {"name": FLUX_REGISTRY_SECRET},
    }
    if release.insecure_registry:
        spec["insecure"] = True
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {
            "name": release.edge,
            "namespace": FLUX_NAMESPACE,
            "labels": edge_labels(release),
            "annotations": edge_annotations(release),
        },
        "spec": spec,
    }


def flux_helm_release(release: EdgeRelease, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {
            "name": release.edge,
            "namespace": FLUX_NAMESPACE,
            "labels": edge_labels(release),
            "annotations": edge_annotations(release),
        },
        "spec": {
            "interval": FLUX_INTERVAL,
            "chartRef": {"kind": "OCIRepository", "name": release.edge},
            "releaseName": RELEASE_NAME,
            "targetNamespace": release.edge,
            "storageNamespace": release.edge,
            "install": {"createNamespace": True, "remediation": {"retries": 3}},
            "driftDetection": {"mode": DRIFT_DETECTION},
            "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": True}},
            "values": values,
        },
    }
