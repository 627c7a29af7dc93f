"""The validated spec set: every resource by kind and name, and where each one was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.diagnostics import Location
from compiler.load.yaml_source import PathItem, SourceDocument
from compiler.spec.model import (
    AssayResource,
    ConfigSpec,
    EdgeLocationResource,
    ModelResource,
    PipelineResource,
    PipelineVersion,
    PublishResource,
    construct_trusted,
)


@dataclass
class Specs:
    root: Path
    # built without pydantic's validator: constructing ConfigSpec() would compile its core schema (~30 ms)
    config: ConfigSpec = field(default_factory=lambda: construct_trusted(ConfigSpec, {}))
    models: dict[str, ModelResource] = field(default_factory=dict)
    pipelines: dict[str, PipelineResource] = field(default_factory=dict)
    publishes: dict[str, PublishResource] = field(default_factory=dict)
    edges: dict[str, EdgeLocationResource] = field(default_factory=dict)
    assays: dict[str, AssayResource] = field(default_factory=dict)
    documents: dict[tuple[str, str], SourceDocument] = field(default_factory=dict)
    #: (kind, name) of documents that failed their schema: they exist, so references to them are not reported
    #: again as unknown; their own diagnostics already say what is wrong.
    broken: set[tuple[str, str]] = field(default_factory=set)

    def exists(self, kind: str, name: str) -> bool:
        return name in self.of_kind(kind) or (kind, name) in self.broken

    def of_kind(self, kind: str) -> dict[str, object]:
        return {
            "Model": self.models,
            "Pipeline": self.pipelines,
            "Publish": self.publishes,
            "EdgeLocation": self.edges,
            "Assay": self.assays,
        }[kind]  # type: ignore[return-value]

    def locate(self, kind: str, name: str, path: Sequence[PathItem] = (), *, key: bool = False) -> Location:
        document = self.documents.get((kind, name))
        return document.location(path, key=key) if document else Location()


    def pipeline_version(self, pipeline: str, version: str) -> PipelineVersion | None:
        resource = self.pipelines.get(pipeline)
        if resource is None:
            return None
        return next((v for v in resource.spec.versions if v.name == version), None)

    def step_models(self, pipeline: str, version: str) -> tuple[str, ...]:
        """The one home of "the step models of a version": in step order, repeats kept; () when unresolved."""
        found = self.pipeline_version(pipeline, version)
        return tuple(step.model for step in found.steps) if found else ()

    def artifact_path(self, model: str) -> Path:
        """The model artifact as the spec wrote it, resolved against the folder of its spec file."""
        document = self.documents[("Model", model)]
        spec_dir = (self.root / document.file).parent
        return spec_dir / self.models[model].spec.artifact
