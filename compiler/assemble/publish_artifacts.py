"""The OCI artifacts of every publish, built in memory and content addressed.

`render` and `compile` both call this: digests are computed locally from the same bytes a push uploads, so the
rendered values pin exactly what the registry will hold. Publishes of one pipeline version share their artifacts
(the tag `pipelines/<pipeline>:<version>` names one content), so each version is built once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.analysis.graph import engine_platform
from compiler.assemble.artifact_builders import ModelLayers, chart_artifact, pipeline_artifact
from compiler.assemble.oci_objects import Artifact
from compiler.assemble.render import package_chart
from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs
from compiler.spec.model import DeploymentConfig


@dataclass(frozen=True)
class PublishArtifacts:
    publish: str
    pipeline: Artifact  # pipelines/<pipeline>:<version>
    chart: Artifact  # charts/<pipeline>:0.0.1-<version>

    def lock_entry(self, registry: str) -> dict[str, Any]:
        """What `edgec.lock.json` records for this publish: where its artifacts are and their digests."""
        return {
            "pipelineArtifact": f"{registry}/{self.pipeline.reference}",
            "pipelineDigest": self.pipeline.digest,
            "chart": f"oci://{registry}/{self.chart.repository}",
            "chartVersion": self.chart.tag,
            "chartDigest": self.chart.digest,
        }

    def pinned_pipeline_url(self, registry: str) -> str:
        return f"{registry}/{self.pipeline.repository}@{self.pipeline.digest}"


def engine_config(deployment: DeploymentConfig, arch: str | None, accel: str | None) -> dict[str, Any]:
    """The engine configuration as a Wallaroo publish records it (limits = requests, as the SDK sets them)."""
    engine, lb = deployment.engine, deployment.engine_lb
    resources = {"cpu": engine.cpus, "memory": engine.memory}
    lb_resources = {"cpu": lb.cpus, "memory": lb.memory}
    return {
        "engine": {"resources": {"limits": resources, "requests": resources}, "arch": arch or "x86",
                   "accel": accel or "none", "gpu": engine.gpus},
        "engineAux": {"autoscale": {"type": "none"}},
        "enginelb": {"resources": {"limits": lb_resources, "requests": lb_resources}},
    }


def build_artifacts(specs: Specs) -> tuple[dict[str, PublishArtifacts], list[Diagnostic]]:
    """Artifacts by publish name. Publishes of one version with other deployment configs are `immutable-changed`:
    they would give one tag two contents."""
    by_version: dict[tuple[str, str], tuple[str, PublishArtifacts]] = {}
    out: dict[str, PublishArtifacts] = {}
    diagnostics: list[Diagnostic] = []
    models = {name: resource.spec for name, resource in specs.models.items()}
    layers = ModelLayers()  # each model read and hashed once, however many versions use it
    for name, resource in sorted(specs.publishes.items()):
        spec = resource.spec
        key = (spec.pipeline, spec.version)
        version = specs.pipeline_version(*key)
        if version is None:
            continue
        arch, accel = engine_platform(specs, name)
        engine = engine_config(spec.deployment_config, arch, accel)
        paths = {model: specs.artifact_path(model).resolve() for model in specs.step_models(*key)}
        pipeline = pipeline_artifact(spec.pipeline, version, models, paths, spec.deployment_config, engine=engine,
                                     source=specs.config.source, layers=layers)
        if key in by_version:
            first, built = by_version[key]
            if built.pipeline.digest != pipeline.digest:
                diagnostics.append(Diagnostic.at(
                    specs.locate("Publish", name, ("spec", "deploymentConfig")), "immutable-changed",
                    f"publishes '{first}' and '{name}' both publish {spec.pipeline} version {spec.version} "
                    f"with different deployment configs",
                    hint="a published pipeline version is immutable: publish a new version instead"))
                continue
            out[name] = PublishArtifacts(name, built.pipeline, built.chart)
            continue
        chart_tgz, chart_yaml = package_chart(spec.pipeline, spec.version)
        chart = chart_artifact(spec.pipeline, spec.version, chart_tgz, chart_yaml,
                               source=specs.config.source)
        artifacts = PublishArtifacts(name, pipeline, chart)
        by_version[key] = (name, artifacts)
        out[name] = artifacts
    return out, diagnostics
