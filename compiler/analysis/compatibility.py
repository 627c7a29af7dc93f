"""The compatibility policy over the graph: schema findings of every replacement and the ones that fail.

For a replacement P replaces Q the old side is Q's pipeline version and the new side P's (inputs of the first
step, outputs of the last). Under a `*_TRANSITIVE` policy the new side is checked against every earlier publish
the moved edges served: Q and everything Q replaced, directly or not. A failing finding that P does not
acknowledge becomes a `breaking-change` diagnostic at P's `replaces` entry naming Q. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler.analysis.graph import Replacement, TransferGraph
from compiler.analysis.schemadiff import (
    Schemas,
    Verdict,
    apply_policy,
    diff_schemas,
    diff_transitive,
    is_transitive,
    log_schema,
    unused_acknowledgements,
)
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.spec_set import Specs
from compiler.spec.model import SchemaField


@dataclass(frozen=True)
class ReplacementCheck:
    replacement: Replacement
    verdicts: tuple[Verdict, ...]

    def findings_json(self) -> list[dict[str, Any]]:
        return [{**v.finding.to_json(), "fails": v.fails, "acknowledged": v.acknowledged} for v in self.verdicts]


def version_schemas(specs: Specs, pipeline: str, version: str) -> Schemas | None:
    """(inputs of the first step, outputs of the last step), or None when a model is unresolved."""
    found = specs.pipeline_version(pipeline, version)
    if found is None:
        return None
    first, last = specs.models.get(found.steps[0].model), specs.models.get(found.steps[-1].model)
    if first is None or last is None:
        return None
    return first.spec.input_schema, last.spec.output_schema


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
        new = version_schemas(specs, publish.pipeline, publish.version)
        lineage = _lineage(graph, r.replaces)
        chain_names: list[str] = []
        chain: list[Schemas] = []
        seen_versions: set[tuple[str, str]] = set()
        for name in lineage:
            spec = specs.publishes[name].spec
            schemas = version_schemas(specs, spec.pipeline, spec.version)
            if schemas is None or (spec.pipeline, spec.version) in seen_versions:
                continue
            seen_versions.add((spec.pipeline, spec.version))
            chain_names.append(name)
            chain.append(schemas)
        if new is None or not chain or chain_names[-1] != r.replaces:
            continue
        compatibility = publish.compatibility or specs.config.compatibility
        if is_transitive(compatibility):
            findings = diff_transitive(chain, *new, labels=chain_names)
        else:
            findings = diff_schemas(*chain[-1], *new, earlier=chain[:-1])
        verdicts = tuple(apply_policy(findings, compatibility, publish.acknowledge))
        checks[(r.publish, r.replaces)] = ReplacementCheck(r, verdicts)
        where = specs.locate("Publish", r.publish, ("spec", "replaces", publish.replaces.index(r.replaces)))
        for verdict in verdicts:
            if verdict.fails:
                f = verdict.finding
                broken = " and ".join(_audience(f.role, a) for a in verdict.audiences)
                diagnostics.append(Diagnostic.at(
                    where, "breaking-change",
                    f"{f.rule} {f.path} ({_change(f.old, f.new)}) breaks {broken} under {compatibility}: "
                    f"publish '{r.publish}' replaces '{r.replaces}'{_compared_with(f.message)}",
                    hint=_acknowledge_hint(f.hint, f.rule, f.path, r.publish)))
    diagnostics += _unused_acknowledgements(specs, checks)
    return checks, diagnostics


def _acknowledge_hint(hint: str | None, rule: str, path: str, publish: str) -> str:
    accept = f"acknowledge: [{{rule: {rule}, field: {path}}}]"
    if hint and accept in hint:
        return f"{hint} on publish '{publish}'"
    return f"{hint + '; ' if hint else ''}to accept it, add to publish '{publish}': {accept}"


def _compared_with(message: str) -> str:
    """A transitive finding against an older publish than the replaced one says which (schemadiff's suffix)."""
    found = re.search(r" \(compared with [^()]+\)$", message)
    return found.group(0) if found else ""


def _change(old: str | None, new: str | None) -> str:
    return f"{old or 'absent'} -> {new or 'absent'}"


def _audience(role: str, audience: str) -> str:
    if audience == "log":
        return "the inference-log table"
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


def resolve_schemas(specs: Specs, reference: str) -> Schemas:
    """A publish name or `PIPELINE:VERSION` to its (inputs, outputs); a usage error when it names nothing."""
    from compiler.diagnostics import fail

    if ":" in reference:
        pipeline, _, version = reference.partition(":")
    elif reference in specs.publishes:
        pipeline, version = specs.publishes[reference].spec.pipeline, specs.publishes[reference].spec.version
    else:
        raise fail("usage", f"{reference!r} is neither a publish nor PIPELINE:VERSION",
                   hint="publishes: " + ", ".join(sorted(specs.publishes)) if specs.publishes else None)
    schemas = version_schemas(specs, pipeline, version)
    if schemas is None:
        raise fail("usage", f"pipeline {pipeline!r} has no resolvable version {version!r}")
    return schemas


def new_log_schema(specs: Specs, publish: str) -> list[tuple[str, str]]:
    """The inference-log columns (`in.*`, `out.*`) of the rows a publish writes."""
    spec = specs.publishes[publish].spec
    schemas = version_schemas(specs, spec.pipeline, spec.version)
    return log_schema(*schemas) if schemas else []
