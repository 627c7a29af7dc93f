"""Build the plan from the specs, their graph and the judged replacements. Pure: no I/O, no environment.

One function over values: the schema findings come from the compatibility checks (`check_replacements`), the
client impact and the log schema from `compiler.analysis.compatibility`, and `pipeline_urls` (publish -> URL
pinned by digest, from the built artifacts) replaces Wallaroo's tag form where the artifacts are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compiler.analysis.assay_impact import AssayImpact, assay_impacts
from compiler.analysis.compatibility import ReplacementCheck, input_changes, new_log_schema, version_schemas
from compiler.analysis.graph import Replacement, TransferGraph
from compiler.analysis.plan.rollouts import rollout_plans
from compiler.analysis.plan.values import AssayPlan, ClientImpact, Plan, PublishInfo, ReplacementPlan, Summary
from compiler.analysis.schemadiff import Verdict
from compiler.diagnostics import Diagnostic, Severity, sorted_unique
from compiler.load.spec_set import Specs
from compiler.spec import naming

Checks = Mapping[tuple[str, str], ReplacementCheck]


def build_plan(
    specs: Specs,
    graph: TransferGraph,
    checks: Checks,
    diagnostics: Iterable[Diagnostic],
    *,
    registry: str,
    pipeline_urls: Mapping[str, str] | None = None,
) -> Plan:
    """`checks`: the judged findings by (publish, replaces); `registry` is used when the config names none (e.g.
    the local OCI layout's prefix); `pipeline_urls`: the pinned `pipelineUrl` of every publish, when known."""
    registry = specs.config.registry or registry
    pinned = pipeline_urls or {}
    info = {name: PublishInfo(pinned.get(name) or naming.pipeline_tag_url(registry, p.pipeline, p.version),
                              naming.chart_url(registry, p.pipeline), naming.chart_version(p.version))
            for name, p in graph.publishes.items()}
    edge_info = {}
    for name in graph.edges:
        device = specs.edges[name].spec
        edge_info[name] = (str(device.arch), str(device.accel), tuple(device.tags))
    impacts: dict[tuple[str, str], list[AssayImpact]] = {}
    for impact in assay_impacts(specs, graph):
        impacts.setdefault((impact.publish, impact.replaces), []).append(impact)
    replacements = tuple(
        ReplacementPlan(r, _verdicts(checks, r), _client_impact(specs, r), tuple(new_log_schema(specs, r.publish)),
                        tuple(impacts.get((r.publish, r.replaces), ())))
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
    return Plan(registry, graph, info, edge_info, replacements, assays, diagnostics, summary, rollout_plans(graph))


def _verdicts(checks: Checks, r: Replacement) -> tuple[Verdict, ...]:
    check = checks.get((r.publish, r.replaces))
    return check.verdicts if check else ()


def _client_impact(specs: Specs, r: Replacement) -> ClientImpact | None:
    """Inference clients of the moved edges must change when the input schema does."""
    old = version_schemas(specs, r.source.pipeline, r.source.version)
    new = version_schemas(specs, r.target.pipeline, r.target.version)
    if old is None or new is None or not len(r.edges):
        return None
    found = tuple(input_changes(old[0], new[0]))
    return ClientImpact(r.publish, r.replaces, r.edges, found) if found else None


def _assays(specs: Specs, graph: TransferGraph) -> tuple[AssayPlan, ...]:
    """Net effect per assay: paused where a replacement silences it, unless the moved traffic comes back to the
    same (pipeline, model) at the current publish (then the intermediate pause never takes effect)."""
    pauses: dict[str, list[tuple[Replacement, str]]] = {}
    pending: dict[str, list[str]] = {}  # paused by a roll-out once its last wave moves
    for r in graph.replacements:
        for pause in r.assays:
            if pause.action == "pending":
                pending.setdefault(pause.name, []).append(pause.reason)
            else:
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
        elif name in pending:
            out.append(AssayPlan(name, *key, assay.spec.iopath, "keep", "; ".join(pending[name]), (), ()))
        else:
            out.append(AssayPlan(name, *key, assay.spec.iopath, "keep",
                                 "no replacement takes traffic away from this (pipeline, model)", (), ()))
    return tuple(out)
