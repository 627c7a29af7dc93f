"""Build the plan from the specs and their graph. Pure: no I/O, no environment.

Two seams stay open for other modules: `findings_for(replacement)` returns the judged schema findings of one
replacement (the default has none), and `input_changes(old, new)`
compares two pipeline input schemas (the default is a plain field-by-field comparison). `pipeline_url(publish)`
lets the compile pipeline pin URLs by digest; the default is Wallaroo's tag form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from compiler.analysis.graph import PublishNode, Replacement, TransferGraph
from compiler.analysis.plan.values import AssayPlan, ClientImpact, Plan, PublishInfo, ReplacementPlan, Summary
from compiler.analysis.schemadiff import Verdict
from compiler.diagnostics import Diagnostic, Severity, sorted_unique
from compiler.load.spec_set import Specs
from compiler.spec import naming
from compiler.spec.model import SchemaField

FindingsFor = Callable[[Replacement], Sequence[Verdict]]
InputChanges = Callable[[Sequence[SchemaField], Sequence[SchemaField]], Sequence[str]]
LogSchemaFor = Callable[[Replacement], Sequence[tuple[str, str]]]


def no_findings(replacement: Replacement) -> Sequence[Verdict]:
    return ()


def _field(field: SchemaField) -> dict[str, Any]:
    return field.model_dump(mode="json", exclude={"description"}, exclude_none=True, by_alias=True)


def plain_input_changes(old: Sequence[SchemaField], new: Sequence[SchemaField]) -> list[str]:
    """Fields added, removed or changed (anything but the description), by name."""
    before = {f.name: _field(f) for f in old}
    after = {f.name: _field(f) for f in new}
    out = [f"in.{name} removed" for name in before if name not in after]
    out += [f"in.{name} added" for name in after if name not in before]
    out += [f"in.{name} changed" for name in before if name in after and before[name] != after[name]]
    if not out and list(before) != list(after):
        out.append("input fields reordered")
    return sorted(out)


def build_plan(
    specs: Specs,
    graph: TransferGraph,
    diagnostics: Iterable[Diagnostic],
    *,
    registry: str,
    findings_for: FindingsFor = no_findings,
    input_changes: InputChanges = plain_input_changes,
    pipeline_url: Callable[[str], str] | None = None,
    log_schema_for: LogSchemaFor | None = None,
) -> Plan:
    """`registry` is used when the config names none (e.g. the local OCI layout's prefix)."""
    registry = specs.config.registry or registry
    info = {name: PublishInfo(pipeline_url(name) if pipeline_url else naming.pipeline_tag_url(registry, p.pipeline,
                                                                                               p.version),
                              naming.chart_url(registry, p.pipeline), naming.chart_version(p.version))
            for name, p in graph.publishes.items()}
    edge_info = {}
    for name in graph.edges:
        device = specs.edges[name].spec
        edge_info[name] = (str(device.arch), str(device.accel), tuple(device.tags))
    replacements = tuple(
        ReplacementPlan(r, tuple(findings_for(r)),
                        _client_impact(specs, graph, r, input_changes),
                        tuple(log_schema_for(r)) if log_schema_for else ())
        for r in graph.replacements
    )
    assays = _assays(specs, graph)
    diagnostics = tuple(sorted_unique(diagnostics))
    summary = Summary(
        edges_moved=sum(1 for e in graph.edges.values() if e.moved),
        replacements=len(replacements),
        version_updates=sum(1 for r in graph.replacements if r.kind == "version-update"),
        pipeline_transfers=sum(1 for r in graph.replacements if r.kind == "pipeline-transfer"),
        assays_to_pause=sum(1 for a in assays if a.action == "pause"),
        client_impacts=sum(1 for r in replacements if r.client_impact is not None),
        findings=sum(len(r.findings) for r in replacements),
        errors=sum(1 for d in diagnostics if d.severity is Severity.ERROR),
        warnings=sum(1 for d in diagnostics if d.severity is Severity.WARNING),
    )
    return Plan(registry, graph, info, edge_info, replacements, assays, diagnostics, summary)


def _inputs(specs: Specs, node: PublishNode) -> Sequence[SchemaField] | None:
    if not node.models or node.models[0] not in specs.models:
        return None
    return specs.models[node.models[0]].spec.input_schema


def _client_impact(specs: Specs, graph: TransferGraph, r: Replacement, changes: InputChanges) -> ClientImpact | None:
    old, new = _inputs(specs, graph.publishes[r.replaces]), _inputs(specs, graph.publishes[r.publish])
    if old is None or new is None or not len(r.edges):
        return None
    found = tuple(changes(old, new))
    return ClientImpact(r.publish, r.replaces, r.edges, found) if found else None


def _assays(specs: Specs, graph: TransferGraph) -> tuple[AssayPlan, ...]:
    """Net effect per assay: paused where a replacement silences it, unless the moved traffic comes back to the
    same (pipeline, model) at the current publish (then the intermediate pause never takes effect)."""
    pauses: dict[str, list[tuple[Replacement, str]]] = {}
    for r in graph.replacements:
        for pause in r.assays:
            pauses.setdefault(pause.name, []).append((r, pause.reason))
    out: list[AssayPlan] = []
    for name, assay in sorted(specs.assays.items()):
        key = (assay.spec.pipeline, assay.spec.model)
        found = pauses.get(name, [])
        creates = set()
        for r, _ in found:
            old_models = graph.publishes[r.replaces].models
            position = old_models.index(key[1]) if key[1] in old_models else 0
            root = graph.publishes[graph.publishes[r.publish].root]
            model = root.models[min(position, len(root.models) - 1)] if root.models else key[1]
            if (root.pipeline, model) != key:
                creates.add((root.pipeline, model))
        paused_by = tuple((r.publish, r.replaces) for r, _ in found)
        if creates:
            reason = "; ".join(dict.fromkeys(reason for _, reason in found))
            out.append(AssayPlan(name, *key, assay.spec.iopath, "pause", reason, paused_by, tuple(sorted(creates))))
        elif found:
            out.append(AssayPlan(name, *key, assay.spec.iopath, "keep",
                                 "the moved traffic comes back to this (pipeline, model) at the current publish",
                                 paused_by, ()))
        else:
            out.append(AssayPlan(name, *key, assay.spec.iopath, "keep",
                                 "no replacement takes traffic away from this (pipeline, model)", (), ()))
    return tuple(out)
