"""`build_graph`: the replacement forest, every edge's history and current publish, what each replacement moves
and which assays it silences. Linear in publishes plus edges (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compiler.analysis.graph.checks import arch_mismatches, item_path, orphan_warnings, step_mismatches
from compiler.analysis.graph.rollout_checks import rollout_problems
from compiler.analysis.graph.values import (
    AssayPause,
    Chain,
    EdgeNode,
    EdgeSet,
    Kind,
    PipelineNode,
    PublishNode,
    Replacement,
    RolloutNode,
    Side,
    TransferGraph,
    WaveNode,
    cons,
)
from compiler.analysis.graph.waves import WavePicker, soak_seconds
from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs


def build_graph(specs: Specs) -> tuple[TransferGraph, list[Diagnostic]]:
    """The graph and its diagnostics. References that do not resolve are skipped (validation reports them)."""
    diagnostics: list[Diagnostic] = []
    replaced_by, problems = _forest(specs)
    diagnostics += problems
    models = {name: specs.step_models(p.spec.pipeline, p.spec.version) for name, p in specs.publishes.items()}
    direct: dict[str, list[str]] = {name: [] for name in specs.publishes}
    for name, edge in specs.edges.items():
        if edge.spec.publish in direct:
            direct[edge.spec.publish].append(name)
    histories, logs = _chains(specs, replaced_by)
    walked = _walk(specs, replaced_by, publishes_of(histories))
    order, spans = _layout(specs, replaced_by, direct)
    held, held_spans = _layout(specs, replaced_by, walked.waiting)
    publishes = {
        name: PublishNode(name, p.spec.pipeline, p.spec.version, models[name], tuple(p.spec.replaces),
                          replaced_by.get(name), histories[name], tuple(sorted(direct[name])),
                          tuple(walked.waiting.get(name, ())))
        for name, p in sorted(specs.publishes.items())
    }
    truncated = _Truncated(histories, logs, replaced_by, {name: p.spec.pipeline for name, p in specs.publishes.items()})
    edges: dict[str, EdgeNode] = {}
    for name in sorted(specs.edges):
        added_to = specs.edges[name].spec.publish
        if added_to not in publishes:
            continue
        stop = walked.stops.get(name)
        current = publishes[stop if stop is not None else publishes[added_to].root]
        history, log_chain = truncated.of(added_to, stop)
        edges[name] = EdgeNode(name, added_to, current.name, current.pipeline, current.version,
                               history, log_chain, walked.waves.get(name))
    pipelines = _pipelines(specs, publishes, edges)
    rollouts = _rollouts(specs, replaced_by, walked)
    replacements = _replacements(specs, publishes, edges, replaced_by, EdgeSpans(order, spans, held, held_spans),
                                 rollouts)
    graph = TransferGraph(publishes, edges, pipelines, replacements, rollouts)
    diagnostics += orphan_warnings(specs, graph)
    diagnostics += arch_mismatches(specs, graph)
    diagnostics += step_mismatches(specs)
    diagnostics += rollout_problems(specs, graph)
    return graph, diagnostics


def publishes_of(histories: Mapping[str, Chain]) -> Mapping[str, str]:
    """publish -> its root."""
    return {name: chain.last for name, chain in histories.items()}


@dataclass
class _Walked:
    """Where roll-outs stop edges: an edge absent from `stops` reaches the root of its publish."""

    stops: dict[str, str] = field(default_factory=dict)  # edge -> the publish it waits on
    waiting: dict[str, list[str]] = field(default_factory=dict)  # publish -> edges waiting on it (sorted)
    waves: dict[str, tuple[str, str]] = field(default_factory=dict)  # edge -> (publish, wave) last taken
    members: dict[str, list[list[str]]] = field(default_factory=dict)  # roll-out publish -> edges per wave
    unassigned: dict[str, list[str]] = field(default_factory=dict)  # roll-out publish -> edges in no wave
    promoted: dict[str, int] = field(default_factory=dict)  # roll-out publish -> promoted wave index (-1: none)


def _walk(specs: Specs, replaced_by: Mapping[str, str], roots: Mapping[str, str]) -> _Walked:
    """Follow every edge through the links that carry a roll-out. Links without one are jumped over: each
    publish knows the nearest publish at or above it whose replacer has a roll-out (its gate), so an edge costs
    one step per roll-out on its way, never one per publish."""
    walked = _Walked()
    pickers: dict[str, WavePicker] = {}
    replacers = set(replaced_by.values())
    for name, p in specs.publishes.items():
        rollout = p.spec.rollout
        if rollout is None or name not in replacers:
            continue
        pickers[name] = WavePicker.of(name, rollout)
        names = [w.name for w in rollout.waves]
        walked.promoted[name] = names.index(rollout.promoted) if rollout.promoted in names else -1
        walked.members[name] = [[] for _ in names]
        walked.unassigned[name] = []
    if not pickers:
        return walked
    gate = _gates(specs, replaced_by, pickers)
    for name in sorted(specs.edges):
        edge = specs.edges[name]
        node: str | None = gate.get(edge.spec.publish)
        stop: str | None = None
        while node is not None:
            publish = replaced_by[node]
            index = pickers[publish].wave_of(name, edge.metadata.labels, edge.spec.tags)
            if index is None:
                walked.unassigned[publish].append(name)
            else:
                walked.members[publish][index].append(name)
            if stop is None:
                if index is not None and index <= walked.promoted[publish]:
                    walked.waves[name] = (publish, specs.publishes[publish].spec.rollout.waves[index].name)  # type: ignore[union-attr]
                else:
                    stop = node
            node = gate.get(publish)
        if stop is not None and stop != roots[edge.spec.publish]:
            walked.stops[name] = stop
            walked.waiting.setdefault(stop, []).append(name)
    return walked


def _gates(specs: Specs, replaced_by: Mapping[str, str], pickers: Mapping[str, WavePicker]) -> dict[str, str]:
    """publish -> the nearest publish at or above it whose link upward carries a roll-out (absent: none)."""
    gate: dict[str, str | None] = {}
    for start in specs.publishes:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in gate:
            if replaced_by.get(node) in pickers:
                gate[node] = node
                break
            path.append(node)
            node = replaced_by.get(node)
        found = gate.get(node) if node is not None else None
        for name in path:
            gate[name] = found
    return {name: found for name, found in gate.items() if found is not None}


class _Truncated:
    """Histories of edges a roll-out stops: the publish's history cut at the publish the edge waits on. Built
    once per (publish, stop) and sharing tails, like the full histories."""

    def __init__(self, histories: Mapping[str, Chain], logs: Mapping[str, Chain], replaced_by: Mapping[str, str],
                 pipeline: Mapping[str, str]) -> None:
        self.histories, self.logs, self.replaced_by, self.pipeline = histories, logs, replaced_by, pipeline
        self.memo: dict[tuple[str, str], tuple[Chain, Chain]] = {}

    def of(self, start: str, stop: str | None) -> tuple[Chain, Chain]:
        if stop is None:
            return self.histories[start], self.logs[start]
        path: list[str] = []
        node = start
        while (node, stop) not in self.memo and node != stop:
            path.append(node)
            node = self.replaced_by[node]
        if (node, stop) not in self.memo:
            self.memo[(node, stop)] = (cons(node, None), cons(self.pipeline[node], None))
        tail, log_tail = self.memo[(node, stop)]
        for name in reversed(path):
            tail = cons(name, tail)
            if log_tail.head != self.pipeline[name]:
                log_tail = cons(self.pipeline[name], log_tail)
            self.memo[(name, stop)] = (tail, log_tail)
        return tail, log_tail


def _rollouts(specs: Specs, replaced_by: Mapping[str, str], walked: _Walked) -> dict[str, RolloutNode]:
    replaced: dict[str, list[str]] = {}
    for child, parent in replaced_by.items():
        replaced.setdefault(parent, []).append(child)
    out: dict[str, RolloutNode] = {}
    for name in sorted(walked.members):
        rollout = specs.publishes[name].spec.rollout
        assert rollout is not None
        promoted = walked.promoted[name]
        waves = tuple(
            WaveNode(w.name, w.soak, soak_seconds(w.soak), tuple(walked.members[name][i]),
                     "moved" if i <= promoted else "next" if i == promoted + 1 else "waiting")
            for i, w in enumerate(rollout.waves))
        out[name] = RolloutNode(name, tuple(sorted(replaced.get(name, ()))),
                                rollout.waves[promoted].name if promoted >= 0 else None, waves,
                                tuple(walked.unassigned[name]))
    return out




def _where(specs: Specs, publish: str, replaced: str) -> str:
    loc = specs.locate("Publish", publish, item_path(specs, publish, replaced))
    return str(loc)


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
        order.extend(direct.get(name, ()))
        stack.append((name, True))
        stack.extend((child, False) for child in sorted(children.get(name, ()), reverse=True))
    return tuple(order), spans


def _pipelines(specs: Specs, publishes: Mapping[str, PublishNode], edges: Mapping[str, EdgeNode]
               ) -> dict[str, PipelineNode]:
    current: dict[str, list[str]] = {name: [] for name in specs.pipelines}
    logged: dict[str, list[str]] = {name: [] for name in specs.pipelines}
    for node in publishes.values():
        current.setdefault(node.pipeline, [])
        logged.setdefault(node.pipeline, [])
    for edge in edges.values():
        current[edge.pipeline].append(edge.name)
    groups: dict[int, tuple[Chain, list[str]]] = {}  # edges sharing one log chain, listed once per chain
    for edge in edges.values():
        groups.setdefault(id(edge.logs), (edge.logs, []))[1].append(edge.name)
    for chain, names in groups.values():
        for pipeline in chain.distinct():
            logged[pipeline].extend(names)
    return {name: PipelineNode(name, tuple(sorted(current[name])), tuple(sorted(logged[name])))
            for name in sorted(current)}


def _replacements(
    specs: Specs,
    publishes: Mapping[str, PublishNode],
    edges: Mapping[str, EdgeNode],
    replaced_by: Mapping[str, str],
    spans: EdgeSpans,
    rollouts: Mapping[str, RolloutNode],
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
        moved = spans.moved(replaced)
        rollout = rollouts.get(publish)
        last = _last_wave(rollout) if rollout else None
        pending = rollout is not None and last is not None and last.state != "moved"
        paused = _paused(specs, old, new, kind, len(moved), assays, fed, last.name if last else None, pending) \
            if len(moved) or pending else ()
        out.append(Replacement(publish, replaced, kind, Side(old.pipeline, old.version),
                               Side(new.pipeline, new.version), moved, paused))
    return tuple(out)


@dataclass(frozen=True)
class EdgeSpans:
    """Edges in depth-first order by the publish they were added to (`order`) and by the publish a roll-out
    holds them on (`held`); a link moves the first subtree minus the second."""

    order: tuple[str, ...]
    spans: Mapping[str, tuple[int, int]]
    held: tuple[str, ...]
    held_spans: Mapping[str, tuple[int, int]]

    def moved(self, replaced: str) -> EdgeSet:
        return EdgeSet(self.order, *self.spans[replaced], self.held, *self.held_spans[replaced])


def _last_wave(rollout: RolloutNode) -> WaveNode | None:
    """The last wave holding an edge: its promotion moves the roll-out's last edge."""
    return next((w for w in reversed(rollout.waves) if w.edges), None)


def _paused(
    specs: Specs,
    old: PublishNode,
    new: PublishNode,
    kind: Kind,
    moved: int,
    assays: Mapping[tuple[str, str], list[str]],
    fed: Mapping[tuple[str, str], int],
    after_wave: str | None = None,
    pending: bool = False,
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
        if pending:
            tail = f"; it pauses once wave '{after_wave}' of '{new.name}' moves the last edge{tail}"
        elif after_wave is not None:
            tail = f"; paused since wave '{after_wave}' of '{new.name}' moved the last edge{tail}"
        for name in assays.get((old.pipeline, model), ()):
            reason = f"{why}: ({old.pipeline}, {model}) gets no traffic from the moved edges{tail}"
            out.append(AssayPause(name, old.pipeline, model, specs.assays[name].spec.iopath, reason,
                                  (new.pipeline, successor), "pending" if pending else "pause", after_wave))
    return tuple(out)
