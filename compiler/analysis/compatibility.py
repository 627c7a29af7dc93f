"""The compatibility policy over the graph: schema findings of every replacement and the ones that fail.

For a replacement P replaces Q the old side is Q's pipeline version and the new side P's (inputs of the first
step, outputs of the last). Under a `*_TRANSITIVE` policy the new side is checked against every earlier publish
the moved edges served: Q and everything Q replaced, directly or not. A failing finding that P does not
acknowledge becomes a `breaking-change` diagnostic at P's `replaces` entry naming Q. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from compiler.analysis.graph import Replacement, TransferGraph
from compiler.analysis.schemadiff import (
    Finding,
    Pointer,
    Role,
    Schemas,
    Verdict,
    acknowledgement,
    apply_policy,
    diff_schemas,
    diff_transitive,
    is_transitive,
    log_schema,
    unused_acknowledgements,
)
from compiler.diagnostics import Diagnostic, Location, Severity
from compiler.load.spec_set import Specs
from compiler.spec.model import Compatibility, LogFormat, SchemaField


@dataclass(frozen=True)
class ReplacementCheck:
    replacement: Replacement
    verdicts: tuple[Verdict, ...]



#: (the model of the first step, the model of the last step): whose inputs and outputs a version's schemas are.
Models = tuple[str, str]


def version_models(specs: Specs, pipeline: str, version: str) -> Models | None:
    """The models whose schemas a version exposes, or None when the version or a model is unresolved."""
    found = specs.pipeline_version(pipeline, version)
    if found is None or not found.steps:
        return None
    first, last = found.steps[0].model, found.steps[-1].model
    return (first, last) if first in specs.models and last in specs.models else None


def models_schemas(specs: Specs, models: Models) -> Schemas:
    return specs.models[models[0]].spec.input_schema, specs.models[models[1]].spec.output_schema


def version_schemas(specs: Specs, pipeline: str, version: str) -> Schemas | None:
    """(inputs of the first step, outputs of the last step), or None when a model is unresolved."""
    models = version_models(specs, pipeline, version)
    return models_schemas(specs, models) if models else None


_SCHEMA_KEY: dict[Role, str] = {"input": "inputSchema", "output": "outputSchema"}


def _field_location(specs: Specs, models: Models, role: Role, pointer: Pointer | None) -> Location | None:
    if pointer is None:
        return None
    model = models[0] if role == "input" else models[1]
    return specs.locate("Model", model, ("spec", _SCHEMA_KEY[role], *pointer))


def locate(specs: Specs, finding: Finding, old: Models, new: Models) -> Finding:
    """The finding with the positions of its old and new field in the model files (where each side exists)."""
    return replace(finding, old_at=_field_location(specs, old, finding.role, finding.old_pointer),
                   new_at=_field_location(specs, new, finding.role, finding.new_pointer))


def _lineage(graph: TransferGraph, replaced: str) -> list[str]:
    """`replaced` and every publish it replaced, directly or not: oldest (deepest) first, `replaced` last."""
    order, stack, seen = [], [replaced], {replaced}
    while stack:
        name = stack.pop()
        order.append(name)
        for older in graph.publishes[name].replaces:
            node = graph.publishes.get(older)
            if node is not None and node.replaced_by == name and older not in seen:
                seen.add(older)
                stack.append(older)
    return order[::-1]


def check_replacements(specs: Specs, graph: TransferGraph) -> tuple[dict[tuple[str, str], ReplacementCheck],
                                                                     list[Diagnostic]]:
    checks: dict[tuple[str, str], ReplacementCheck] = {}
    diagnostics: list[Diagnostic] = []
    for r in graph.replacements:
        publish = specs.publishes[r.publish].spec
        new_models = version_models(specs, publish.pipeline, publish.version)
        lineage = _lineage(graph, r.replaces)
        chain_names: list[str] = []
        chain_models: list[Models] = []
        seen_versions: set[tuple[str, str]] = set()
        for name in lineage:
            spec = specs.publishes[name].spec
            models = version_models(specs, spec.pipeline, spec.version)
            if models is None or (spec.pipeline, spec.version) in seen_versions:
                continue
            seen_versions.add((spec.pipeline, spec.version))
            chain_names.append(name)
            chain_models.append(models)
        if new_models is None or not chain_models or chain_names[-1] != r.replaces:
            continue
        chain = [models_schemas(specs, m) for m in chain_models]
        new = models_schemas(specs, new_models)
        compatibility = publish.compatibility or specs.config.compatibility
        log_format = specs.config.log_format
        if is_transitive(compatibility):
            findings = diff_transitive(chain, *new, labels=chain_names, log_format=log_format)
        else:
            findings = diff_schemas(*chain[-1], *new, earlier=chain[:-1], log_format=log_format)
        old_models = dict(zip(chain_names, chain_models, strict=True))
        findings = [locate(specs, f, old_models[f.compared_with or r.replaces], new_models) for f in findings]
        verdicts = tuple(apply_policy(findings, compatibility, publish.acknowledge))
        checks[(r.publish, r.replaces)] = ReplacementCheck(r, verdicts)
        where = specs.locate("Publish", r.publish, ("spec", "replaces", publish.replaces.index(r.replaces)))
        diagnostics += [_breaking(where, v, compatibility, log_format, r) for v in verdicts if v.fails]
    diagnostics += _unused_acknowledgements(specs, checks)
    return checks, diagnostics


def _breaking(where: Location, verdict: Verdict, compatibility: Compatibility, log_format: LogFormat,
              r: Replacement) -> Diagnostic:
    """A failing finding at the publish's `replaces` entry; the message also points at the field that changed."""
    f = verdict.finding
    broken = " and ".join(_audience(f.role, a, log_format) for a in verdict.audiences)
    against = f" (compared with {f.compared_with})" if f.compared_with else ""
    fields = [f"{side} {at}" for side, at in (("new field at", f.new_at), ("old field at", f.old_at)) if at]
    return Diagnostic.at(
        where, "breaking-change",
        f"{f.rule} {f.path} ({_change(f.old, f.new)}) breaks {broken} under {compatibility}: "
        f"publish '{r.publish}' replaces '{r.replaces}'{against}" + (f"; {', '.join(fields)}" if fields else ""),
        hint=_acknowledge_hint(f, r.publish))


def _acknowledge_hint(f: Finding, publish: str) -> str:
    accept = acknowledgement(f.rule, f.path)
    return f"{f.fix + '; or ' if f.fix else ''}accept it with `{accept}` on publish '{publish}'"


def _change(old: str | None, new: str | None) -> str:
    return f"{old or 'absent'} -> {new or 'absent'}"


def _audience(role: str, audience: str, log_format: LogFormat) -> str:
    if audience == "log":
        return f"the inference-log table ({log_format})"
    return "clients sending inputs" if role == "input" else "clients reading outputs"


def _unused_acknowledgements(specs: Specs, checks: dict[tuple[str, str], ReplacementCheck]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, resource in sorted(specs.publishes.items()):
        acknowledge = resource.spec.acknowledge
        if not acknowledge:
            continue
        findings = [v.finding for (publish, _), check in checks.items() if publish == name for v in check.verdicts]
        for ack in unused_acknowledgements(findings, acknowledge):
            index = acknowledge.index(ack)
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("spec", "acknowledge", index)), "unused-acknowledgement",
                f"acknowledgement {{rule: {ack.rule}, field: {ack.field}}} matches no finding of publish '{name}'",
                severity=Severity.WARNING, hint="remove it, or fix the rule id or field path"))
    return out


def input_changes(old: Sequence[SchemaField], new: Sequence[SchemaField]) -> list[str]:
    """What inference clients must change when a pipeline's inputs change (descriptions do not count)."""
    return [f"{f.path}: {f.message}" for f in diff_schemas(old, [], new, []) if f.rule != "METADATA_CHANGED"]


def resolve_models(specs: Specs, reference: str) -> Models:
    """A publish name or `PIPELINE:VERSION` to the models of its schemas; a usage error when it names nothing."""
    from compiler.diagnostics import fail

    if ":" in reference:
        pipeline, _, version = reference.partition(":")
    elif reference in specs.publishes:
        pipeline, version = specs.publishes[reference].spec.pipeline, specs.publishes[reference].spec.version
    else:
        raise fail("usage", f"{reference!r} is neither a publish nor PIPELINE:VERSION",
                   hint="publishes: " + ", ".join(sorted(specs.publishes)) if specs.publishes else None)
    models = version_models(specs, pipeline, version)
    if models is None:
        raise fail("usage", f"pipeline {pipeline!r} has no resolvable version {version!r}")
    return models


def diff_references(specs: Specs, old: str, new: str) -> list[Finding]:
    """`edgec diff OLD NEW`: the findings from one publish (or PIPELINE:VERSION) to another, located."""
    old_models, new_models = resolve_models(specs, old), resolve_models(specs, new)
    found = diff_schemas(*models_schemas(specs, old_models), *models_schemas(specs, new_models),
                         log_format=specs.config.log_format)
    return [locate(specs, f, old_models, new_models) for f in found]


def new_log_schema(specs: Specs, publish: str) -> list[tuple[str, str]]:
    """The inference-log columns (`in.*`, `out.*`) of the rows a publish writes."""
    spec = specs.publishes[publish].spec
    schemas = version_schemas(specs, spec.pipeline, spec.version)
    return log_schema(*schemas) if schemas else []
