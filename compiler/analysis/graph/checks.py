"""Checks on the graph: orphan publishes and empty replacements (warnings), engines that an edge device cannot
run (`arch-mismatch`), steps that do not feed each other (`step-mismatch`)."""

from __future__ import annotations

from collections.abc import Sequence

from compiler.analysis.graph.values import TransferGraph
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.spec_set import Specs
from compiler.spec.model import SchemaField


def item_path(specs: Specs, publish: str, replaced: str) -> tuple[str | int, ...]:
    replaces = specs.publishes[publish].spec.replaces
    return ("spec", "replaces", replaces.index(replaced)) if replaced in replaces else ("spec", "replaces")


def orphan_warnings(specs: Specs, graph: TransferGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, node in graph.publishes.items():
        if node.active and not node.edges and not node.replaces:
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("metadata", "name")), "orphan-publish",
                f"publish '{name}' replaces nothing, is replaced by nothing and serves no edge location",
                severity=Severity.WARNING,
                hint=f"add an EdgeLocation with `publish: {name}`, let it replace a publish, or remove it"))
    for r in graph.replacements:
        if not r.edges.reach:
            out.append(Diagnostic.at(
                specs.locate("Publish", r.publish, item_path(specs, r.publish, r.replaces)), "empty-replacement",
                f"publish '{r.publish}' replaces '{r.replaces}', which carries no edge location",
                severity=Severity.WARNING, hint="the replacement moves nothing; check the `replaces` entry"))
    return out


def engine_platform(specs: Specs, publish: str) -> tuple[str | None, str | None]:
    """The (arch, accel) a publish's engine runs on; None where its models disagree and nothing is configured."""
    arch, accel, _ = _engine(specs, publish)
    return arch, accel


def _engine(specs: Specs, publish: str) -> tuple[str | None, str | None, list[Diagnostic]]:
    """The engine's (arch, accel): the publish's deploymentConfig, else what all models of the version share."""
    spec = specs.publishes[publish].spec
    engine = spec.deployment_config.engine
    models = specs.step_models(spec.pipeline, spec.version)
    out: list[Diagnostic] = []
    result: list[str | None] = []
    for attribute, configured in (("arch", engine.arch), ("accel", engine.accel)):
        if configured is not None:
            result.append(str(configured))
            continue
        own = {m: str(getattr(specs.models[m].spec, attribute)) for m in models if m in specs.models}
        values = sorted(set(own.values()))
        if len(values) > 1:
            listed = ", ".join(f"{m}: {v}" for m, v in own.items())
            out.append(Diagnostic.at(
                specs.locate("Publish", publish, ("spec", "version")), "arch-mismatch",
                f"the models of pipeline '{spec.pipeline}' version '{spec.version}' disagree on {attribute} "
                f"({listed})", hint=f"set deploymentConfig.engine.{attribute} on publish '{publish}'"))
        result.append(values[0] if len(values) == 1 else None)
    return result[0], result[1], out


def arch_mismatches(specs: Specs, graph: TransferGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    engines: dict[str, tuple[str | None, str | None]] = {}
    for name in sorted({edge.publish for edge in graph.edges.values()}):
        arch, accel, problems = _engine(specs, name)
        engines[name] = (arch, accel)
        out += problems
    for name, edge in graph.edges.items():
        arch, accel = engines[edge.publish]
        device = specs.edges[name].spec
        wrong = [(key, have, want) for key, have, want in (("arch", str(device.arch), arch),
                                                           ("accel", str(device.accel), accel))
                 if want is not None and have != want]
        if not wrong:
            continue
        key = wrong[0][0]
        written = specs.documents[("EdgeLocation", name)].data.get("spec", {}) if ("EdgeLocation", name) in \
            specs.documents else {}
        path = ("spec", key) if key in written else ("spec", "publish")
        detail = ", ".join(f"{k} {have} (engine: {want})" for k, have, want in wrong)
        via = " -> ".join(edge.history) if edge.moved else edge.publish
        out.append(Diagnostic.at(
            specs.locate("EdgeLocation", name, path), "arch-mismatch",
            f"edge location '{name}' cannot run publish '{edge.publish}' ({edge.pipeline} {edge.version}): "
            f"device {detail}", hint=f"the edge's current publish comes from {via}; set the publish's "
            f"deploymentConfig.engine or the device's arch/accel"))
    return out


def feed_problems(producer_outputs: Sequence[SchemaField], consumer_inputs: Sequence[SchemaField]) -> list[str]:
    """Why one step's outputs cannot feed the next step's inputs (empty: they can). The one swap point for the
    schema-diff rules: a finding that is an error for clients is a problem."""
    from compiler.analysis.schemadiff import step_feed_findings

    return [f"{f.path}: {f.message}" for f in step_feed_findings(producer_outputs, consumer_inputs)
            if str(f.clients) == "error"]


def step_mismatches(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, pipeline in sorted(specs.pipelines.items()):
        for v_index, version in enumerate(pipeline.spec.versions):
            for s_index in range(1, len(version.steps)):
                producer, consumer = version.steps[s_index - 1].model, version.steps[s_index].model
                if producer not in specs.models or consumer not in specs.models:
                    continue
                problems = feed_problems(specs.models[producer].spec.output_schema,
                                         specs.models[consumer].spec.input_schema)
                if problems:
                    out.append(Diagnostic.at(
                        specs.locate("Pipeline", name, ("spec", "versions", v_index, "steps", s_index, "model")),
                        "step-mismatch",
                        f"pipeline '{name}' version '{version.name}': step {s_index + 1} '{consumer}' cannot take "
                        f"the outputs of step {s_index} '{producer}': " + "; ".join(problems),
                        hint=f"make the outputs of '{producer}' match the inputs of '{consumer}'"))
    return out
