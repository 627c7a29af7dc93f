"""Layer 3, across documents: references resolve, names are unique, accelerators suit their architecture."""

from __future__ import annotations

from collections.abc import Iterable

from compiler.diagnostics import Diagnostic
from compiler.load.schema_check import did_you_mean
from compiler.load.spec_set import Specs
from compiler.spec.model import ACCEL_REQUIRES_ARCH, Accel, Arch, FieldType, SchemaField


def check_references(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += _pipeline_references(specs)
    out += _publish_references(specs)
    for name, edge in specs.edges.items():
        if not specs.exists("Publish", edge.spec.publish):
            out.append(_unknown(specs, "EdgeLocation", name, ("spec", "publish"), "publish", edge.spec.publish,
                                specs.publishes))
    out += _assay_references(specs)
    out += _accelerators(specs)
    out += _field_names(specs)
    return out


def _field_names(specs: Specs) -> list[Diagnostic]:
    """Fields are matched by name path in schema diffs, so siblings must have distinct names."""
    out: list[Diagnostic] = []

    def walk(model: str, fields: list[SchemaField], path: tuple[str | int, ...]) -> None:
        seen: set[str] = set()
        for index, field in enumerate(fields):
            if field.name in seen:
                out.append(Diagnostic.at(specs.locate("Model", model, (*path, index, "name")), "duplicate-name",
                                         f"field '{field.name}' is defined twice in the same schema"))
            seen.add(field.name)
            walk_type(model, field, (*path, index))

    def walk_type(model: str, field_type: FieldType, path: tuple[str | int, ...]) -> None:
        if field_type.fields:
            walk(model, field_type.fields, (*path, "fields"))
        if field_type.items is not None:
            walk_type(model, field_type.items, (*path, "items"))

    for name, model in specs.models.items():
        walk(name, model.spec.input_schema, ("spec", "inputSchema"))
        walk(name, model.spec.output_schema, ("spec", "outputSchema"))
    return out


def _unknown(specs: Specs, kind: str, name: str, path: tuple[str | int, ...], what: str, value: str,
            known: Iterable[str]) -> Diagnostic:
    return Diagnostic.at(specs.locate(kind, name, path), "unknown-reference", f"{what} '{value}' not found",
                         hint=did_you_mean(value, known))


def _pipeline_references(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, pipeline in specs.pipelines.items():
        seen: dict[str, int] = {}
        for v_index, version in enumerate(pipeline.spec.versions):
            if version.name in seen:
                first = specs.locate("Pipeline", name, ("spec", "versions", seen[version.name], "name"))
                out.append(Diagnostic.at(
                    specs.locate("Pipeline", name, ("spec", "versions", v_index, "name")), "duplicate-name",
                    f"pipeline '{name}' defines version '{version.name}' twice",
                    hint=f"first defined at line {first.line}"))
            seen.setdefault(version.name, v_index)
            for s_index, step in enumerate(version.steps):
                if not specs.exists("Model", step.model):
                    out.append(_unknown(specs, "Pipeline", name, ("spec", "versions", v_index, "steps", s_index,
                                                                  "model"), "model", step.model, specs.models))
    return out


def _publish_references(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, publish in specs.publishes.items():
        spec = publish.spec
        pipeline = specs.pipelines.get(spec.pipeline)
        if pipeline is None:
            if not specs.exists("Pipeline", spec.pipeline):
                out.append(_unknown(specs, "Publish", name, ("spec", "pipeline"), "pipeline", spec.pipeline,
                                    specs.pipelines))
        elif specs.pipeline_version(spec.pipeline, spec.version) is None:
            versions = [v.name for v in pipeline.spec.versions]
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("spec", "version")), "unknown-reference",
                f"pipeline '{spec.pipeline}' has no version '{spec.version}'",
                hint=did_you_mean(spec.version, versions) or "versions: " + ", ".join(versions)))
        for index, replaced in enumerate(spec.replaces):
            if not specs.exists("Publish", replaced):
                out.append(_unknown(specs, "Publish", name, ("spec", "replaces", index), "publish", replaced,
                                    specs.publishes))
    return out


def _assay_references(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, assay in specs.assays.items():
        spec = assay.spec
        pipeline = specs.pipelines.get(spec.pipeline)
        if not specs.exists("Pipeline", spec.pipeline):
            out.append(_unknown(specs, "Assay", name, ("spec", "pipeline"), "pipeline", spec.pipeline,
                                specs.pipelines))
        if not specs.exists("Model", spec.model):
            out.append(_unknown(specs, "Assay", name, ("spec", "model"), "model", spec.model, specs.models))
        elif pipeline is not None:
            steps = {step.model for version in pipeline.spec.versions for step in version.steps}
            if spec.model not in steps:
                out.append(Diagnostic.at(
                    specs.locate("Assay", name, ("spec", "model")), "unknown-reference",
                    f"model '{spec.model}' is not a step of any version of pipeline '{spec.pipeline}'",
                    hint=did_you_mean(spec.model, steps)))
    return out


def _accelerators(specs: Specs) -> list[Diagnostic]:
    checks: list[tuple[str, str, tuple[str | int, ...], Arch, Accel | None]] = []
    for name, model in specs.models.items():
        checks.append(("Model", name, ("spec", "accel"), model.spec.arch, model.spec.accel))
    for name, edge in specs.edges.items():
        checks.append(("EdgeLocation", name, ("spec", "accel"), edge.spec.arch, edge.spec.accel))
    for name, publish in specs.publishes.items():
        engine = publish.spec.deployment_config.engine
        if engine.arch is not None:
            checks.append(("Publish", name, ("spec", "deploymentConfig", "engine", "accel"), engine.arch,
                           engine.accel))
    out: list[Diagnostic] = []
    for kind, name, path, arch, accel in checks:
        needed = ACCEL_REQUIRES_ARCH.get(accel) if accel is not None else None
        if needed is not None and needed != arch:
            out.append(Diagnostic.at(specs.locate(kind, name, path), "invalid-accel",
                                     f"accel '{accel}' needs arch '{needed}', not '{arch}'",
                                     hint=f"set arch: {needed} or choose another accelerator"))
    return out
