"""Where the artifacts of a publish live: the one home of the registry layout (README "Outputs").

The pipeline artifact is `<registry>/pipelines/<pipeline>:<version>`, its Helm chart `<registry>/charts/<pipeline>`
at version `0.0.1-<version>` (Wallaroo's scheme). The OCI artifacts, the plan, the lock, the rendered values, the
GitOps documents and the operator commands all take these names from here, so changing one constant changes
every output at once (tests/spec/test_naming.py). Pure.
"""

from __future__ import annotations

#: Repository folder of the pipeline artifacts, below the registry prefix.
PIPELINES = "pipelines"
#: Repository folder of the Helm charts, below the registry prefix.
CHARTS = "charts"
#: A pipeline version `<v>` is the chart version `<CHART_VERSION_BASE>-<v>`, a SemVer pre-release.
CHART_VERSION_BASE = "0.0.1"


def pipeline_repository(pipeline: str) -> str:
    """`pipelines/<pipeline>`, below the registry prefix."""
    return f"{PIPELINES}/{pipeline}"


def chart_repository(pipeline: str) -> str:
    """`charts/<pipeline>`, below the registry prefix."""
    return f"{CHARTS}/{pipeline}"


def chart_version(version: str) -> str:
    """The chart version of a pipeline version. A version name has no `+` (VERSION_PATTERN), so it is also the
    chart's OCI tag as Helm writes it."""
    return f"{CHART_VERSION_BASE}-{version}"


def charts_location(registry: str) -> str:
    """`<registry>/charts`: the Helm-OCI repository Argo CD pulls a chart from, by chart name."""
    return f"{registry}/{CHARTS}"


def chart_url(registry: str, pipeline: str) -> str:
    """`oci://<registry>/charts/<pipeline>`, as `helm pull` and Flux's OCIRepository take it."""
    return f"oci://{registry}/{chart_repository(pipeline)}"


def pipeline_tag_url(registry: str, pipeline: str, version: str) -> str:
    """`<registry>/pipelines/<pipeline>:<version>`: Wallaroo's `pipelineUrl` by tag."""
    return f"{registry}/{pipeline_repository(pipeline)}:{version}"


def pipeline_digest_url(registry: str, pipeline: str, digest: str) -> str:
    """`<registry>/pipelines/<pipeline>@sha256:...`: the `pipelineUrl` pinned by manifest digest."""
    return f"{registry}/{pipeline_repository(pipeline)}@{digest}"
