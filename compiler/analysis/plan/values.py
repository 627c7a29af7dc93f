"""The plan as values, and its JSON form (SPEC section 4). Lists are sorted by name, so shuffled input files
give identical JSON. Histories and moved-edge lists are shared views of the graph until `to_json` lists them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.analysis.assay_impact import AssayImpact
from compiler.analysis.graph import Chain, EdgeSet, Replacement, TransferGraph
from compiler.analysis.plan.rollouts import RolloutPlan
from compiler.analysis.schemadiff import Verdict
from compiler.diagnostics import Diagnostic


@dataclass(frozen=True)
class ClientImpact:
    """Inference clients of the moved edges must change: the pipeline's input schema differs."""

    publish: str
    replaces: str
    edges: EdgeSet
    changes: tuple[str, ...]

    @property
    def message(self) -> str:
        return (f"the input schema changes from '{self.replaces}' to '{self.publish}': inference clients of "
                f"{len(self.edges)} edge(s) must send the new inputs")

    def to_json(self) -> dict[str, Any]:
        return {"publish": self.publish, "replaces": self.replaces, "edges": list(self.edges.names()),
                "changes": list(self.changes), "message": self.message}


@dataclass(frozen=True)
class ReplacementPlan:
    replacement: Replacement
    findings: tuple[Verdict, ...]
    client_impact: ClientImpact | None
    log_schema: tuple[tuple[str, str], ...] = ()  # (column, type) of the rows the new publish writes
    assay_impacts: tuple[AssayImpact, ...] = ()  # watched fields that change under the assay to create

    def to_json(self) -> dict[str, Any]:
        r = self.replacement
        impacts = {i.assay: i for i in self.assay_impacts}
        return {
            "publish": r.publish,
            "replaces": r.replaces,
            "kind": r.kind,
            "from": {"pipeline": r.source.pipeline, "version": r.source.version},
            "to": {"pipeline": r.target.pipeline, "version": r.target.version},
            "edges": list(r.edges.names()),
            "findings": [v.to_json() for v in self.findings],
            "assays": [{"name": a.name, "action": a.action, "reason": a.reason, "pipeline": a.pipeline,
                        "model": a.model, "iopath": a.iopath,
                        "create": {"pipeline": a.create[0], "model": a.create[1], "iopath": a.iopath},
                        **({"afterWave": a.after_wave} if a.after_wave else {}),
                        **({"impact": _impact_json(impacts[a.name])} if a.name in impacts else {})}
                       for a in r.assays],
            "clientImpact": self.client_impact is not None,
            "logSchema": [{"column": column, "type": type_} for column, type_ in self.log_schema],
        }


@dataclass(frozen=True)
class AssayPlan:
    """The net effect on one assay: `pause` (with the keys to create) or `keep`."""

    name: str
    pipeline: str
    model: str
    iopath: str
    action: str
    reason: str
    paused_by: tuple[tuple[str, str], ...]  # (publish, replaces) of each pausing replacement
    create: tuple[tuple[str, str], ...]  # (pipeline, model) where the moved traffic runs now

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "pipeline": self.pipeline, "model": self.model, "iopath": self.iopath,
                "action": self.action, "reason": self.reason,
                "pausedBy": [{"publish": p, "replaces": q} for p, q in self.paused_by],
                "create": [{"pipeline": p, "model": m, "iopath": self.iopath} for p, m in self.create]}


@dataclass(frozen=True)
class Summary:
    edges_moved: int
    replacements: int
    version_updates: int
    pipeline_transfers: int
    assays_to_pause: int
    client_impacts: int
    findings: int
    errors: int
    warnings: int

    def to_json(self) -> dict[str, int]:
        return {"edgesMoved": self.edges_moved, "replacements": self.replacements,
                "versionUpdates": self.version_updates, "pipelineTransfers": self.pipeline_transfers,
                "assaysToPause": self.assays_to_pause, "clientImpacts": self.client_impacts,
                "findings": self.findings, "errors": self.errors, "warnings": self.warnings}


@dataclass(frozen=True)
class PublishInfo:
    pipeline_url: str
    chart: str
    chart_version: str


@dataclass(frozen=True)
class Plan:
    registry: str
    graph: TransferGraph
    publish_info: Mapping[str, PublishInfo]
    edge_info: Mapping[str, tuple[str, str, tuple[str, ...]]]  # edge -> (arch, accel, tags)
    replacements: tuple[ReplacementPlan, ...]
    assays: tuple[AssayPlan, ...]
    diagnostics: tuple[Diagnostic, ...]
    summary: Summary
    rollouts: tuple[RolloutPlan, ...] = ()

    @property
    def client_impacts(self) -> tuple[ClientImpact, ...]:
        return tuple(r.client_impact for r in self.replacements if r.client_impact is not None)

    def to_json(self) -> dict[str, Any]:
        graph = self.graph
        lists: dict[int, list[str]] = {}  # one list per shared chain, as the graph shares them

        def listed(chain: Chain, distinct: bool = False) -> list[str]:
            key = id(chain) * 2 + distinct
            if key not in lists:
                lists[key] = list(chain.distinct() if distinct else chain)
            return lists[key]

        current: dict[str, list[str]] = {}
        for edge in graph.edges.values():
            current.setdefault(edge.publish, []).append(edge.name)
        publishes = [
            {"name": p.name, "pipeline": p.pipeline, "version": p.version, "replaces": list(p.replaces),
             "replacedBy": p.replaced_by, "active": p.active, "edges": current.get(p.name, []),
             "pipelineUrl": self.publish_info[p.name].pipeline_url,
             "chart": {"url": self.publish_info[p.name].chart, "version": self.publish_info[p.name].chart_version}}
            for p in graph.publishes.values()
        ]
        edges = []
        for e in graph.edges.values():
            arch, accel, tags = self.edge_info[e.name]
            edges.append({"name": e.name, "publish": e.publish, "pipeline": e.pipeline, "version": e.version,
                          "addedTo": e.added_to, "history": listed(e.history),
                          "logPipelines": listed(e.logs, True), "moved": e.moved, "arch": arch, "accel": accel,
                          "tags": list(tags)})
        return {
            "summary": self.summary.to_json(),
            "publishes": publishes,
            "edges": edges,
            "pipelines": [{"name": p.name, "edges": list(p.edges), "logEdges": list(p.log_edges)}
                          for p in graph.pipelines.values()],
            "replacements": [r.to_json() for r in self.replacements],
            "assays": [a.to_json() for a in self.assays],
            "clientImpacts": [c.to_json() for c in self.client_impacts],
            "rollouts": [r.to_json() for r in self.rollouts],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _impact_json(impact: AssayImpact) -> dict[str, Any]:
    return {"field": impact.field, "message": impact.message,
            "changes": [{"rule": f.rule, "old": f.old, "new": f.new} for f in impact.findings]}
