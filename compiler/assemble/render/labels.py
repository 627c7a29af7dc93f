"""The labels of an edge location's rendered GitOps objects (Argo CD Application, Flux OCIRepository and
HelmRelease): the one place that builds them, so that every object of an edge carries the same selectable set.

The set is the edge's own `metadata.labels` (validated as Kubernetes labels, never under `edgec.dev/`), one
`tag.edgec.dev/<tag>: "true"` per tag (compiler.spec.labels), then edgec's own keys, which win; `edgec.dev/wave`
names the roll-out wave that moved the edge to its publish (SPEC section 7).
"""

from __future__ import annotations

from compiler.assemble.render.values import ANNOTATION_PREFIX, EdgeRelease
from compiler.spec.labels import tag_label_key

MANAGED_BY = {"app.kubernetes.io/managed-by": "edgec"}


def edge_labels(release: EdgeRelease) -> dict[str, str]:
    """Every label of the edge's GitOps objects; the fleet tools select edges by these."""
    labels = dict(release.labels)
    labels.update({tag_label_key(tag): "true" for tag in release.tags})
    labels.update(MANAGED_BY)
    labels[f"{ANNOTATION_PREFIX}edge"] = release.edge
    labels[f"{ANNOTATION_PREFIX}pipeline"] = release.pipeline
    if release.wave is not None:  # only edges a roll-out moved: a waiting edge renders exactly as before
        labels[f"{ANNOTATION_PREFIX}wave"] = release.wave
    return labels
