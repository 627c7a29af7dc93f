"""`build_graph`: the replacement forest, every edge's history and current publish, what each replacement moves
and which assays it silences. Linear in publishes plus edges (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping

from compiler.analysis.graph.checks import arch_mismatches, item_path, orphan_warnings, step_mismatches, version_models
from compiler.analysis.graph.values import (
    AssayPause,
    Chain,
    EdgeNode,
    EdgeSet,
    Kind,
    PipelineNode,
    PublishNode,
    Replacement,
    Side,
    TransferGraph,
    cons,
)
from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs


def build_graph(specs: Specs) -> tuple[TransferGraph, list[Diagnostic]]:
    """The graph and its diagnostics. References that do not resolve are skipped (validation reports them)."""
    diagnostics: list[Diagnostic] = []
    replaced_by, problems = _forest(specs)
    diagnostics += problems
    models = {name: version_models(specs, p.spec.pipeline, p.spec.version) for name, p in specs.publishes.items()}
    direct: dict[str, list[str]] = {name: [] for name in specs.publishes}
    for name, edge in specs.edges.items():
        if edge.spec.publish in direct:
            direct[edge.spec.publish].append(name)
    histories, logs = _chains(specs, replaced_by)
    order, spans = _layout(specs, replaced_by, direct)
    publishes = {
        name: PublishNode(name, p.spec.pipeline, p.spec.version, models[name], tuple(p.spec.replaces),
                          replaced_by.get(name), histories[name], tuple(sorted(direct[name])))
        for name, p in sorted(specs.publishes.items())
    }
    edges: dict[str, EdgeNode] = {}
    for name in sorted(specs.edges):
        added_to = specs.edges[name].spec.publish
        if added_to not in publishes:
            continue
        current = publishes[publishes[added_to].root]
        edges[name] = EdgeNode(name, added_to, current.name, current.pipeline, current.version,
                               histories[added_to], logs[added_to])
    pipelines = _pipelines(specs, publishes, edges, logs)
    replacements = _replacements(specs, publishes, edges, replaced_by, order, spans)
    graph = TransferGraph(publishes, edges, pipelines, replacements)
    diagnostics += orphan_warnings(specs, graph)
    diagnostics += arch_mismatches(specs, graph)
    diagnostics += step_mismatches(specs)
    return graph, diagnostics




def _where(specs: Specs, publish: str, replaced: str) -> str:
    loc = specs.locate("Publish", publish, item_path(specs, publish, replaced))
    return f"{loc.file}:{loc.line}:{loc.column}" if loc.file else "?"


def _forest(specs: Specs) -> tuple[dict[str, str], list[Diagnostic]]:
    """`replaced_by` links forming a forest, and the conflict, self-replacement and cycle diagnostics."""
    out: list[Diagnostic] = []
    claims: dict[str, list[str]] = {}
    for name in sorted(specs.publishes):
        for index, replaced in enumerate(specs.publishes[name].spec.replaces):
            where = specs.locate("Publish", name, ("spec", "replaces", index))
            if replaced == name:
                out.append(Diagnostic.at(where, "replace-cycle", f"publish '{name}' replaces itself",
                                         hint="a publish replaces older publishes; remove it from `replaces`"))
            elif replaced in specs.publishes and name not in claims.setdefault(replaced, []):
                claims[replaced].append(name)
    replaced_by: dict[str, str] = {}
    for replaced, claimants in sorted(claims.items()):
        keeper = claimants[0]
        replaced_by[replaced] = keeper
        for other in claimants[1:]:
            out.append(Diagnostic.at(
                specs.locate("Publish", other, item_path(specs, other, replaced)), "replace-conflict",
                f"publish '{replaced}' is replaced by both '{keeper}' ({_where(specs, keeper, replaced)}) "
                f"and '{other}' ({_where(specs, other, replaced)})",
                hint="a publish is replaced at most once: replace the newer publish instead"))
    out += _break_cycles(specs, replaced_by)
    return replaced_by, out


def _break_cycles(specs: Specs, replaced_by: dict[str, str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    walk_of: dict[str, int] = {}
    for walk, start in enumerate(sorted(specs.publishes)):
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in walk_of:
            walk_of[node] = walk
            path.append(node)
            node = replaced_by.get(node)
        if node is None or walk_of[node] != walk:
            continue
        cycle = path[path.index(node):]
        first = cycle.index(min(cycle))
        cycle = cycle[first:] + cycle[:first]
        smallest, before = cycle[0], cycle[-1]  # `smallest` replaces `before`
        for member in cycle:  # every member becomes a root: no replacement of the cycle is analysed further
            del replaced_by[member]
        out.append(Diagnostic.at(
            specs.locate("Publish", smallest, item_path(specs, smallest, before)), "replace-cycle",
            "replacement cycle: " + " -> ".join([*cycle, cycle[0]]),
            hint="each publish is replaced by the next one; remove one of these `replaces` entries"))
    return out


def _chains(specs: Specs, replaced_by: Mapping[str, str]) -> tuple[dict[str, Chain], dict[str, Chain]]:
    """Every publish's history and log-pipeline chain, each built once and sharing its tail (iterative)."""
    history: dict[str, Chain] = {}
    logs: dict[str, Chain] = {}
    pipeline = {name: p.spec.pipeline for name, p in specs.publishes.items()}
    for start in specs.publishes:
        path: list[str] = []
        node = start
        while node not in history:
            path.append(node)
            parent = replaced_by.get(node)
            if parent is None:
                break
            node = parent
        tail, log_tail = history.get(node), logs.get(node)
        for name in reversed(path):
            tail = cons(name, tail)
            if log_tail is None or log_tail.head != pipeline[name]:
                log_tail = cons(pipeline[name], log_tail)
            history[name], logs[name] = tail, log_tail
    return history, logs


def _layout(
    specs: Specs, replaced_by: Mapping[str, str], direct: Mapping[str, list[str]]
) -> tuple[tuple[str, ...], dict[str, tuple[int, int]]]:
    """Edges in depth-first order of the forest, and each publish's subtree as a [start, end) span of it."""
    children: dict[str, list[str]] = {}
    for child, parent in replaced_by.items():
        children.setdefault(parent, []).append(child)
    order: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    roots = sorted(name for name in specs.publishes if name not in replaced_by)
    stack: list[tuple[str, bool]] = [(root, False) for root in reversed(roots)]
    starts: dict[str, int] = {}
    while stack:
        name, done = stack.pop()
        if done:
            spans[name] = (starts[name], len(order))
            continue
        starts[name] = len(order)
        order.extend(direct[name])
        stack.append((name, True))
        stack.extend((child, False) for child in sorted(children.get(name, ()), reverse=True))
    return tuple(order), spans


def _pipelines(
    specs: Specs, publishes: Mapping[str, PublishNode], edges: Mapping[str, EdgeNode], logs: Mapping[str, Chain]
) -> dict[str, PipelineNode]:
    current: dict[str, list[str]] = {name: [] for name in specs.pipelines}
    logged: dict[str, list[str]] = {name: [] for name in specs.pipelines}
    for node in publishes.values():
        current.setdefault(node.pipeline, [])
        logged.setdefault(node.pipeline, [])
    for edge in edges.values():
        current[edge.pipeline].append(edge.name)
    for node in publishes.values():
        if node.edges:
            for pipeline in logs[node.name].distinct():
                logged[pipeline].extend(node.edges)
    return {name: PipelineNode(name, tuple(sorted(current[name])), tuple(sorted(logged[name])))
            for name in sorted(current)}


def _replacements(
    specs: Specs,
    publishes: Mapping[str, PublishNode],
    edges: Mapping[str, EdgeNode],
    replaced_by: Mapping[str, str],
    order: tuple[str, ...],
    spans: Mapping[str, tuple[int, int]],
) -> tuple[Replacement, ...]:
    assays: dict[tuple[str, str], list[str]] = {}
    for name in sorted(specs.assays):
        assays.setdefault((specs.assays[name].spec.pipeline, specs.assays[name].spec.model), []).append(name)
    fed: dict[tuple[str, str], int] = {}  # current edges flowing through each (pipeline, model)
    for edge in edges.values():
        for model in publishes[edge.publish].models:
            fed[(edge.pipeline, model)] = fed.get((edge.pipeline, model), 0) + 1
    out: list[Replacement] = []
    for replaced, publish in sorted(replaced_by.items(), key=lambda item: (item[1], item[0])):
        old, new = publishes[replaced], publishes[publish]
        kind: Kind = "version-update" if old.pipeline == new.pipeline else "pipeline-transfer"
        moved = EdgeSet(order, *spans[replaced])
        paused = _paused(specs, old, new, kind, len(moved), assays, fed) if len(moved) else ()
        out.append(Replacement(publish, replaced, kind, Side(old.pipeline, old.version),
                               Side(new.pipeline, new.version), moved, paused))
    return tuple(out)


def _paused(
    specs: Specs,
    old: PublishNode,
    new: PublishNode,
    kind: Kind,
    moved: int,
    assays: Mapping[tuple[str, str], list[str]],
    fed: Mapping[tuple[str, str], int],
) -> tuple[AssayPause, ...]:
    out: list[AssayPause] = []
    for position, model in enumerate(dict.fromkeys(old.models)):
        if kind == "version-update" and model in new.models:
            continue
        successor = new.models[min(position, len(new.models) - 1)] if new.models else model
        if kind == "pipeline-transfer":
            why = f"{moved} edge(s) move to pipeline '{new.pipeline}'"
        else:
            why = f"version '{new.version}' of '{new.pipeline}' no longer runs '{model}'"
        still = fed.get((old.pipeline, model), 0)
        tail = f"; {still} current edge(s) still feed it" if still else "; no edge feeds it any more"
        for name in assays.get((old.pipeline, model), ()):
            reason = f"{why}: ({old.pipeline}, {model}) gets no traffic from the moved edges{tail}"
            out.append(AssayPause(name, old.pipeline, model, specs.assays[name].spec.iopath, reason,
                                  (new.pipeline, successor)))
    return tuple(out)
