"""Layer 3, across documents: references resolve, names are unique, accelerators suit their architecture."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs
from compiler.load.suggest import Suggester, did_you_mean
from compiler.spec.model import ACCEL_REQUIRES_ARCH, Accel, Arch, FieldType, SchemaField


class Hints:
    """Did-you-mean per target kind, each built once per run and memoised (see `compiler.load.suggest`)."""

    def __init__(self, specs: Specs) -> None:
        self._specs = specs
        self.suggesters: dict[str, Suggester] = {}

    def __call__(self, kind: str, word: str) -> str | None:
        if kind not in self.suggesters:
            self.suggesters[kind] = Suggester(self._specs.of_kind(kind))
        return self.suggesters[kind](word)


def check_references(specs: Specs, hints: Hints | None = None) -> list[Diagnostic]:
    hints = hints or Hints(specs)
    out: list[Diagnostic] = []
    out += _pipeline_references(specs, hints)
    out += _publish_references(specs, hints)
    for name, edge in specs.edges.items():
        if not specs.exists("Publish", edge.spec.publish):
            out.append(_unknown(specs, hints, "EdgeLocation", name, ("spec", "publish"), "Publish",
                                edge.spec.publish))
    out += _assay_references(specs, hints)
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


def _unknown(specs: Specs, hints: Hints, kind: str, name: str, path: tuple[str | int, ...], target: str,
             value: str) -> Diagnostic:
    return Diagnostic.at(specs.locate(kind, name, path), "unknown-reference",
                         f"{target.lower()} '{value}' not found", hint=hints(target, value))


def _pipeline_references(specs: Specs, hints: Hints) -> list[Diagnostic]:
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
                    out.append(_unknown(specs, hints, "Pipeline", name,
                                        ("spec", "versions", v_index, "steps", s_index, "model"), "Model", step.model))
    return out


def _publish_references(specs: Specs, hints: Hints) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, publish in specs.publishes.items():
        spec = publish.spec
        pipeline = specs.pipelines.get(spec.pipeline)
        if pipeline is None:
            if not specs.exists("Pipeline", spec.pipeline):
                out.append(_unknown(specs, hints, "Publish", name, ("spec", "pipeline"), "Pipeline", spec.pipeline))
        elif specs.pipeline_version(spec.pipeline, spec.version) is None:
            versions = [v.name for v in pipeline.spec.versions]
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("spec", "version")), "unknown-reference",
                f"pipeline '{spec.pipeline}' has no version '{spec.version}'",
                hint=did_you_mean(spec.version, versions) or "versions: " + ", ".join(versions)))
        for index, replaced in enumerate(spec.replaces):
            if not specs.exists("Publish", replaced):
                out.append(_unknown(specs, hints, "Publish", name, ("spec", "replaces", index), "Publish", replaced))
    return out


def _assay_references(specs: Specs, hints: Hints) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, assay in specs.assays.items():
        spec = assay.spec
        pipeline = specs.pipelines.get(spec.pipeline)
        if not specs.exists("Pipeline", spec.pipeline):
            out.append(_unknown(specs, hints, "Assay", name, ("spec", "pipeline"), "Pipeline", spec.pipeline))
        if not specs.exists("Model", spec.model):
            out.append(_unknown(specs, hints, "Assay", name, ("spec", "model"), "Model", spec.model))
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
