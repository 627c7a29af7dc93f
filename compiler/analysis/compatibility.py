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
    History,
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


def schema_models(specs: Specs, pipeline: str, version: str) -> Models | None:
    """The models whose schemas a version exposes, or None when the version or a model is unresolved."""
    steps = specs.step_models(pipeline, version)
    if not steps:
        return None
    first, last = steps[0], steps[-1]
    return (first, last) if first in specs.models and last in specs.models else None


def models_schemas(specs: Specs, models: Models) -> Schemas:
    return specs.models[models[0]].spec.input_schema, specs.models[models[1]].spec.output_schema


def version_schemas(specs: Specs, pipeline: str, version: str) -> Schemas | None:
    """(inputs of the first step, outputs of the last step), or None when a model is unresolved."""
    models = schema_models(specs, pipeline, version)
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


class _Lineage:
    """What the checks need of a publish's lineage: its resolvable versions, oldest first, and the history of all
    of them but the last. Carried forward along a chain: adding the next publish costs the size of its schemas,
    whatever the length of the chain."""

    __slots__ = ("_last", "_last_version", "history", "models", "names", "schemas")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.models: list[Models] = []
        self.schemas: list[Schemas] = []
        self.history = History()  # of every entry but the last
        self._last: Schemas | None = None
        self._last_version: tuple[str, str] | None = None

    def add(self, name: str, version: tuple[str, str], models: Models | None, schemas: Schemas | None) -> None:
        """The next publish; skipped when its version is unresolved. A publish of the version the lineage ends
        with takes that entry over: the next replacement replaces it, and is checked against that version."""
        if models is None or schemas is None:
            return
        if version == self._last_version:
            self.names[-1] = name
            return
        if self._last is not None:
            self.history.add(self._last)
        self._last, self._last_version = schemas, version
        self.names.append(name)
        self.models.append(models)
        self.schemas.append(schemas)


def _version_index(specs: Specs) -> dict[tuple[str, str], tuple[Models, Schemas]]:
    """Every resolvable (pipeline, version) with its models and schemas, built once (no scan per lookup)."""
    out: dict[tuple[str, str], tuple[Models, Schemas]] = {}
    for name, pipeline in specs.pipelines.items():
        for version in pipeline.spec.versions:
            if not version.steps:
                continue
            models = (version.steps[0].model, version.steps[-1].model)
            if models[0] in specs.models and models[1] in specs.models:
                out.setdefault((name, version.name), (models, models_schemas(specs, models)))
    return out


def check_replacements(specs: Specs, graph: TransferGraph) -> tuple[dict[tuple[str, str], ReplacementCheck],
                                                                     list[Diagnostic]]:
    """Judge every replacement in one pass over each chain, oldest first (linear in the size of the chains)."""
    index = _version_index(specs)
    by_replaced: dict[str, list[Replacement]] = {}
    for r in graph.replacements:
        by_replaced.setdefault(r.replaces, []).append(r)

    def add(lineage: _Lineage, name: str) -> None:
        spec = specs.publishes[name].spec
        found = index.get((spec.pipeline, spec.version))
        lineage.add(name, (spec.pipeline, spec.version), *(found or (None, None)))

    def fresh(name: str) -> _Lineage:
        lineage = _Lineage()
        for older in _lineage(graph, name):
            add(lineage, older)
        return lineage

    found: dict[tuple[str, str], tuple[ReplacementCheck, list[Diagnostic]] | None] = {}
    predecessors = {name: [o for o in node.replaces if o in graph.publishes and graph.publishes[o].replaced_by == name]
                    for name, node in graph.publishes.items()}
    waiting = {name: len(older) for name, older in predecessors.items()}
    ready = [name for name, count in waiting.items() if count == 0]
    lineages: dict[str, _Lineage] = {}
    while ready:
        name = ready.pop()
        older = predecessors[name]
        if len(older) == 1:  # a chain: take the predecessor's lineage over, it is checked already
            lineage = lineages.pop(older[0])
            add(lineage, name)
        else:
            lineage = _Lineage() if not older else fresh(name)
            if not older:
                add(lineage, name)
        lineages[name] = lineage
        for r in by_replaced.pop(name, []):
            found[(r.publish, r.replaces)] = _check(specs, index, r, lineage)
        successor = graph.publishes[name].replaced_by
        if successor is not None and successor in waiting and name in predecessors.get(successor, ()):
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    checks: dict[tuple[str, str], ReplacementCheck] = {}
    diagnostics: list[Diagnostic] = []
    for r in graph.replacements:
        if (done := found.get((r.publish, r.replaces))) is not None:
            check, problems = done
            checks[(r.publish, r.replaces)] = check
            diagnostics += problems
    diagnostics += _unused_acknowledgements(specs, checks)
    return checks, diagnostics


def _check(specs: Specs, index: dict[tuple[str, str], tuple[Models, Schemas]], r: Replacement,
           lineage: _Lineage) -> tuple[ReplacementCheck, list[Diagnostic]] | None:
    """One replacement against the lineage of the publish it replaces (that publish last)."""
    publish = specs.publishes[r.publish].spec
    target = index.get((publish.pipeline, publish.version))
    if target is None or not lineage.names or lineage.names[-1] != r.replaces:
        return None
    new_models, new = target
    compatibility = publish.compatibility or specs.config.compatibility
    log_format = specs.config.log_format
    if is_transitive(compatibility):
        findings = diff_transitive(lineage.schemas, *new, labels=lineage.names, log_format=log_format)
        old_models = dict(zip(lineage.names, lineage.models, strict=True))
    else:
        findings = diff_schemas(*lineage.schemas[-1], *new, earlier=lineage.history, log_format=log_format)
        old_models = {r.replaces: lineage.models[-1]}
    findings = [locate(specs, f, old_models[f.compared_with or r.replaces], new_models) for f in findings]
    verdicts = tuple(apply_policy(findings, compatibility, publish.acknowledge))
    where = specs.locate("Publish", r.publish, ("spec", "replaces", publish.replaces.index(r.replaces)))
    return (ReplacementCheck(r, verdicts),
            [_breaking(where, v, compatibility, log_format, r) for v in verdicts if v.fails])


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
    models = schema_models(specs, pipeline, version)
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
