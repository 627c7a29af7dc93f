"""The edge-transfer graph (SPEC section 2): the replacement forest, where every edge runs and logs, and what
each replacement moves and silences. Pure: `build_graph` reads a `Specs` value and returns values.

Cost is linear in publishes + edges (plus sorting names): every publish's history is an immutable linked
list (`Chain`) that shares its tail with the publish that replaced it, so an edge added anywhere on a
1,000-long chain costs O(1); a replacement's moved edges are a slice of one array of edges laid out in
depth-first order of the forest (the subtree of the replaced publish is contiguous), so no chain is walked per
edge and no edge is listed per replacement until a printer asks.

Decisions where SPEC section 2 is silent:
- replace-conflict: of several publishes replacing one publish, the first by name keeps it; each other one gets
  the diagnostic (at its `replaces` item), so the result does not depend on file layout.
- replace-cycle: reported once per cycle, at the `replaces` item of the cycle's smallest publish name, printed
  in the direction edges move (`a -> b` = b replaces a); the cycle's links are dropped so the rest can be
  analysed without follow-up warnings.
- logPipelines: the distinct pipelines of an edge's history, in order of first appearance.
- Assay rule: replacement P replaces Q moves edges whose traffic ran through (pipeline(Q), m) for every model m
  of Q's version. An assay keyed (pipeline(Q), m) is paused when that traffic no longer reaches the key: P is
  another pipeline, or P's version does not run m. Its successor key is (pipeline(P), the model at m's step
  position in P's version, clamped to the last step). A replacement that moves no edge silences nothing.
- orphan-publish: a publish whose `replaces` is empty, that nothing replaces and that no edge was added to (a
  publish waiting for its first edges is legitimate, hence a warning). A replaced publish
  whose subtree carries no edge is `empty-replacement` instead (reported at the replacer's `replaces` item).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from compiler.diagnostics import Diagnostic, Severity
from compiler.model import SchemaField
from compiler.specs import Specs

__all__ = [
    "AssayPause",
    "Chain",
    "EdgeNode",
    "EdgeSet",
    "PipelineNode",
    "PublishNode",
    "Replacement",
    "Side",
    "TransferGraph",
    "build_graph",
    "engine_platform",
    "feed_problems",
]

Kind = Literal["version-update", "pipeline-transfer"]


# --------------------------------------------------------------------------------------------------- values
@dataclass(frozen=True, eq=False, repr=False)
class Chain:
    """An immutable linked list of names, oldest first, sharing its tail with other chains."""

    head: str
    rest: Chain | None
    length: int
    last: str  # the final element (for a history: the root publish)

    def __iter__(self) -> Iterator[str]:
        node: Chain | None = self
        while node is not None:
            yield node.head
            node = node.rest

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"Chain({' -> '.join(self)})"

    def distinct(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self))


def _cons(head: str, rest: Chain | None) -> Chain:
    if rest is None:
        return Chain(head, None, 1, head)
    return Chain(head, rest, rest.length + 1, rest.last)


@dataclass(frozen=True, eq=False, repr=False)
class EdgeSet:
    """The edges in `order[start:end]`: a view shared by every replacement, materialised on demand."""

    order: tuple[str, ...]
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[str]:
        return iter(self.order[self.start : self.end])

    def __repr__(self) -> str:
        return f"EdgeSet({self.names()})"

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.order[self.start : self.end]))


@dataclass(frozen=True)
class Side:
    pipeline: str
    version: str


@dataclass(frozen=True)
class PublishNode:
    name: str
    pipeline: str
    version: str
    models: tuple[str, ...]  # the version's step models, in step order
    replaces: tuple[str, ...]  # as written in the spec
    replaced_by: str | None  # the accepted replacer
    history: Chain  # this publish, then each replacer up to the root
    edges: tuple[str, ...]  # edges added to this publish, sorted

    @property
    def root(self) -> str:
        return self.history.last

    @property
    def active(self) -> bool:
        return self.replaced_by is None


@dataclass(frozen=True)
class EdgeNode:
    name: str
    added_to: str
    publish: str  # the current publish: the root reached from `added_to`
    pipeline: str
    version: str
    history: Chain
    logs: Chain  # pipelines along the history, consecutive repeats collapsed

    @property
    def moved(self) -> bool:
        return self.history.length > 1

    @property
    def log_pipelines(self) -> tuple[str, ...]:
        return self.logs.distinct()


@dataclass(frozen=True)
class PipelineNode:
    name: str
    edges: tuple[str, ...]  # current edges: what `list_edges()` shows
    log_edges: tuple[str, ...]  # edges that have inference logs here


@dataclass(frozen=True)
class AssayPause:
    name: str
    pipeline: str
    model: str
    iopath: str
    reason: str
    create: tuple[str, str]  # the key (pipeline, model) of the assay to create instead
    action: str = "pause"


@dataclass(frozen=True)
class Replacement:
    publish: str
    replaces: str
    kind: Kind
    source: Side  # "from" in JSON
    target: Side  # "to" in JSON
    edges: EdgeSet  # edges on `replaces` or on anything it replaced
    assays: tuple[AssayPause, ...]


@dataclass(frozen=True)
class TransferGraph:
    publishes: Mapping[str, PublishNode]
    edges: Mapping[str, EdgeNode]
    pipelines: Mapping[str, PipelineNode]
    replacements: tuple[Replacement, ...]  # sorted by (publish, replaces)

    def roots(self) -> list[str]:
        return sorted(name for name, node in self.publishes.items() if node.active)


# --------------------------------------------------------------------------------------------------- build
def build_graph(specs: Specs) -> tuple[TransferGraph, list[Diagnostic]]:
    """The graph and its diagnostics. References that do not resolve are skipped (validation reports them)."""
    diagnostics: list[Diagnostic] = []
    replaced_by, problems = _forest(specs)
    diagnostics += problems
    models = {name: _version_models(specs, p.spec.pipeline, p.spec.version) for name, p in specs.publishes.items()}
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
    diagnostics += _warnings(specs, graph)
    diagnostics += _arch_mismatches(specs, graph)
    diagnostics += _step_mismatches(specs)
    return graph, diagnostics


def _version_models(specs: Specs, pipeline: str, version: str) -> tuple[str, ...]:
    found = specs.pipeline_version(pipeline, version)
    return tuple(step.model for step in found.steps) if found else ()


def _item(specs: Specs, publish: str, replaced: str) -> tuple[str, ...] | tuple:
    replaces = specs.publishes[publish].spec.replaces
    return ("spec", "replaces", replaces.index(replaced)) if replaced in replaces else ("spec", "replaces")


def _where(specs: Specs, publish: str, replaced: str) -> str:
    loc = specs.locate("Publish", publish, _item(specs, publish, replaced))
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
                specs.locate("Publish", other, _item(specs, other, replaced)), "replace-conflict",
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
            specs.locate("Publish", smallest, _item(specs, smallest, before)), "replace-cycle",
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
            tail = _cons(name, tail)
            if log_tail is None or log_tail.head != pipeline[name]:
                log_tail = _cons(pipeline[name], log_tail)
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


# --------------------------------------------------------------------------------------------------- checks
def _warnings(specs: Specs, graph: TransferGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, node in graph.publishes.items():
        if node.active and not node.edges and not node.replaces:
            out.append(Diagnostic.at(
                specs.locate("Publish", name, ("metadata", "name")), "orphan-publish",
                f"publish '{name}' replaces nothing, is replaced by nothing and serves no edge location",
                severity=Severity.WARNING,
                hint=f"add an EdgeLocation with `publish: {name}`, let it replace a publish, or remove it"))
    for r in graph.replacements:
        if not len(r.edges):
            out.append(Diagnostic.at(
                specs.locate("Publish", r.publish, _item(specs, r.publish, r.replaces)), "empty-replacement",
                f"publish '{r.publish}' replaces '{r.replaces}', which carries no edge location",
                severity=Severity.WARNING, hint="the replacement moves nothing; check the `replaces` entry"))
    return out


def engine_platform(specs: Specs, publish: str) -> tuple[str | None, str | None]:
    """The (arch, accel) a publish's engine runs on; None where its models disagree and nothing is configured."""
    arch, accel, _ = _engine(specs, _node_of(specs, publish))
    return arch, accel


def _node_of(specs: Specs, publish: str) -> PublishNode:
    spec = specs.publishes[publish].spec
    models = _version_models(specs, spec.pipeline, spec.version)
    return PublishNode(publish, spec.pipeline, spec.version, models, tuple(spec.replaces), None,
                       _cons(publish, None), ())


def _engine(specs: Specs, node: PublishNode) -> tuple[str | None, str | None, list[Diagnostic]]:
    """The engine's (arch, accel): the publish's deploymentConfig, else what all models of the version share."""
    engine = specs.publishes[node.name].spec.deployment_config.engine
    out: list[Diagnostic] = []
    result: list[str | None] = []
    for attribute, configured in (("arch", engine.arch), ("accel", engine.accel)):
        if configured is not None:
            result.append(str(configured))
            continue
        own = {m: str(getattr(specs.models[m].spec, attribute)) for m in node.models if m in specs.models}
        values = sorted(set(own.values()))
        if len(values) > 1:
            listed = ", ".join(f"{m}: {v}" for m, v in own.items())
            out.append(Diagnostic.at(
                specs.locate("Publish", node.name, ("spec", "version")), "arch-mismatch",
                f"the models of pipeline '{node.pipeline}' version '{node.version}' disagree on {attribute} "
                f"({listed})", hint=f"set deploymentConfig.engine.{attribute} on publish '{node.name}'"))
        result.append(values[0] if len(values) == 1 else None)
    return result[0], result[1], out


def _arch_mismatches(specs: Specs, graph: TransferGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    engines: dict[str, tuple[str | None, str | None]] = {}
    for name in sorted({edge.publish for edge in graph.edges.values()}):
        arch, accel, problems = _engine(specs, graph.publishes[name])
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
    from compiler.schemadiff import step_feed_findings

    return [f.message for f in step_feed_findings(producer_outputs, consumer_inputs)
            if str(f.clients) == "error"]


def _step_mismatches(specs: Specs) -> list[Diagnostic]:
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
