"""The OCI artifacts of every publish, built in memory and content addressed, or reused from the lock.

`render` and `compile` both call this: digests are computed locally from the same bytes a push uploads, so the
rendered values pin exactly what the registry will hold. Publishes of one pipeline version share their artifacts
(the tag `pipelines/<pipeline>:<version>` names one content), so each version is built once.

A publish recorded in the deployment's lock is never rebuilt from today's templates: when its inputs digest
(`compiler.assemble.publish_inputs`: what the user wrote) equals the recorded one, the recorded artifacts are
reused by digest (`Recorded`), whatever edge chart or zlib this edgec has. Only new publishes, and recorded ones
whose inputs changed (which `immutable-changed` then refuses), are built. A lock entry written before inputs
were recorded is compared as before, once: the pipeline artifact is rebuilt and must keep its recorded digest;
the recorded chart is kept (it depends only on the pipeline name and version, which are compared), and the
new lock records the inputs digest from then on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.analysis.graph import engine_platform
from compiler.assemble.artifact_builders import ModelLayers, chart_artifact, pipeline_artifact
from compiler.assemble.oci_objects import Artifact
from compiler.assemble.publish_inputs import ModelContents, PublishInputs, publish_inputs
from compiler.assemble.render import package_chart
from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs
from compiler.spec.engine import SIDEKICK_CPUS, SIDEKICK_MEMORY
from compiler.spec.model import DeploymentConfig, runs_in_sidekick
from compiler.spec.naming import chart_repository, chart_version, pipeline_repository


@dataclass(frozen=True)
class Recorded:
    """An artifact the lock records and the store holds by digest: reused as it is, never rebuilt."""

    repository: str
    tag: str
    digest: str

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}"


@dataclass(frozen=True)
class PublishArtifacts:
    publish: str
    pipeline: Artifact | Recorded  # pipelines/<pipeline>:<version>
    chart: Artifact | Recorded  # charts/<pipeline>:0.0.1-<version>
    inputs: PublishInputs | None = None

    @property
    def reused(self) -> bool:
        return isinstance(self.pipeline, Recorded)

    def lock_entry(self, registry: str) -> dict[str, Any]:
        """What `edgec.lock.json` records for this publish: where its artifacts are, their digests, and the
        digest of its inputs (with each model's content digest) that later compiles recognise it by."""
        entry: dict[str, Any] = {
            "pipelineArtifact": f"{registry}/{self.pipeline.reference}",
            "pipelineDigest": self.pipeline.digest,
            "chart": f"oci://{registry}/{self.chart.repository}",
            "chartVersion": self.chart.tag,
            "chartDigest": self.chart.digest,
        }
        if self.inputs is not None:
            entry["inputsDigest"] = self.inputs.digest
            entry["models"] = dict(sorted(self.inputs.models.items()))
        return entry

    def pinned_pipeline_url(self, registry: str) -> str:
        return f"{registry}/{self.pipeline.repository}@{self.pipeline.digest}"


def sidekick_models(specs: Specs, pipeline: str, version: str) -> tuple[str, ...]:
    """The step models of a version that Wallaroo runs in a sidekick container (`runs_in_sidekick`), each once."""
    return tuple(model for model in dict.fromkeys(specs.step_models(pipeline, version))
                 if model in specs.models and runs_in_sidekick(specs.models[model].spec.framework))


def engine_config(deployment: DeploymentConfig, arch: str | None, accel: str | None,
                  sidekicks: tuple[str, ...] = ()) -> dict[str, Any]:
    """The engine configuration as a Wallaroo publish records it (limits = requests, as the SDK sets them).
    Sidekick models are listed under `engineAux.images` with the SDK's default sidekick resources."""
    engine, lb = deployment.engine, deployment.engine_lb
    resources = {"cpu": engine.cpus, "memory": engine.memory}
    lb_resources = {"cpu": lb.cpus, "memory": lb.memory}
    aux: dict[str, Any] = {"autoscale": {"type": "none"}}
    if sidekicks:
        share = {"cpu": SIDEKICK_CPUS, "memory": SIDEKICK_MEMORY}
        aux["images"] = {model: {"resources": {"limits": share, "requests": share}} for model in sidekicks}
    return {
        "engine": {"resources": {"limits": resources, "requests": resources}, "arch": arch or "x86",
                   "accel": accel or "none", "gpu": engine.gpus},
        "engineAux": aux,
        "enginelb": {"resources": {"limits": lb_resources, "requests": lb_resources}},
    }


class _Builder:
    """Builds the artifacts of one spec set, each model layer and content digest computed once."""

    def __init__(self, specs: Specs) -> None:
        self.specs = specs
        self.layers = ModelLayers()
        self.contents = ModelContents(self.layers)

    def pipeline(self, publish: str) -> Artifact:
        specs = self.specs
        spec = specs.publishes[publish].spec
        version = specs.pipeline_version(spec.pipeline, spec.version)
        assert version is not None
        arch, accel = engine_platform(specs, publish)
        models = {name: resource.spec for name, resource in specs.models.items()}
        paths = {model: specs.artifact_path(model).resolve() for model in specs.step_models(spec.pipeline,
                                                                                             spec.version)}
        return pipeline_artifact(spec.pipeline, version, models, paths, spec.deployment_config,
                                 engine=engine_config(spec.deployment_config, arch, accel,
                                                      sidekick_models(specs, spec.pipeline, spec.version)),
                                 source=specs.config.source, layers=self.layers)

    def chart(self, publish: str) -> Artifact:
        spec = self.specs.publishes[publish].spec
        chart_tgz, chart_yaml = package_chart(spec.pipeline, spec.version)
        return chart_artifact(spec.pipeline, spec.version, chart_tgz, chart_yaml, source=self.specs.config.source)

    def reuse(self, publish: str, inputs: PublishInputs, old: Any) -> PublishArtifacts | None:
        """The recorded artifacts of `publish` when the lock entry `old` still describes it, else None."""
        spec = self.specs.publishes[publish].spec
        if not isinstance(old, Mapping) or (old.get("pipeline"), old.get("version")) != (spec.pipeline,
                                                                                          spec.version):
            return None
        recorded_inputs = old.get("inputsDigest")
        if recorded_inputs is None and self.pipeline(publish).digest != old.get("pipelineDigest"):
            return None  # a lock entry of an older edgec: compared as before, once
        if recorded_inputs is not None and recorded_inputs != inputs.digest:
            return None
        pipeline = Recorded(pipeline_repository(spec.pipeline), spec.version, str(old["pipelineDigest"]))
        chart = Recorded(chart_repository(spec.pipeline), chart_version(spec.version), str(old["chartDigest"]))
        return PublishArtifacts(publish, pipeline, chart, inputs)


def build_artifacts(specs: Specs, recorded: Mapping[str, Any] | None = None
                    ) -> tuple[dict[str, PublishArtifacts], list[Diagnostic]]:
    """Artifacts by publish name; `recorded`: the deployment lock's publishes (entries reused where they still
    describe the publish). Publishes of one version with other inputs are `immutable-changed`: they would give
    one tag two contents."""
    builder = _Builder(specs)
    inputs: dict[str, PublishInputs] = {}
    for name in sorted(specs.publishes):
        found = publish_inputs(specs, name, builder.contents)
        if found is not None:
            inputs[name] = found
    out: dict[str, PublishArtifacts] = {}
    by_version: dict[tuple[str, str], PublishArtifacts] = {}
    diagnostics: list[Diagnostic] = []
    reusable = {name: builder.reuse(name, found, (recorded or {}).get(name)) for name, found in inputs.items()}
    # recorded publishes first, so a new publish of a recorded version shares the recorded artifacts
    for name in sorted(inputs, key=lambda n: (reusable[n] is None, n)):
        spec = specs.publishes[name].spec
        key = (spec.pipeline, spec.version)
        first = by_version.get(key)
        if first is not None:
            assert first.inputs is not None
            if first.inputs.digest != inputs[name].digest:
                diagnostics.append(Diagnostic.at(
                    specs.locate("Publish", name, ("spec", "deploymentConfig")), "immutable-changed",
                    f"publishes '{first.publish}' and '{name}' both publish {spec.pipeline} version "
                    f"{spec.version} with different deployment configs",
                    hint="a published pipeline version is immutable: publish a new version instead"))
                continue
            out[name] = PublishArtifacts(name, first.pipeline, first.chart, inputs[name])
            continue
        artifacts = reusable[name] or PublishArtifacts(name, builder.pipeline(name), builder.chart(name),
                                                       inputs[name])
        by_version[key] = out[name] = artifacts
    return out, diagnostics


def rebuild(specs: Specs, publish: str) -> tuple[Artifact, Artifact]:
    """The (pipeline, chart) of `publish` built from today's specs and templates: only to restore a recorded
    artifact that the store lost, and only when the rebuilt digest equals the recorded one."""
    builder = _Builder(specs)
    return builder.pipeline(publish), builder.chart(publish)
