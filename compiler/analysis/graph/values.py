"""The values of the edge-transfer graph: immutable nodes, shared-tail histories and edge spans."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Kind = Literal["version-update", "pipeline-transfer"]

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


def cons(head: str, rest: Chain | None) -> Chain:
    if rest is None:
        return Chain(head, None, 1, head)
    return Chain(head, rest, rest.length + 1, rest.last)


@dataclass(frozen=True, eq=False, repr=False)
class EdgeSet:
    """The edges in `order[start:end]` minus those in `held[held_start:held_end]`: a view shared by every
    replacement, materialised on demand. `held` is the span of edges that a roll-out keeps below the link (an
    edge still waiting is inside the replaced subtree, yet does not move); without roll-outs it is empty."""

    order: tuple[str, ...]
    start: int
    end: int
    held: tuple[str, ...] = ()
    held_start: int = 0
    held_end: int = 0

    def __len__(self) -> int:
        return (self.end - self.start) - (self.held_end - self.held_start)

    def __iter__(self) -> Iterator[str]:
        if self.held_end == self.held_start:
            return iter(self.order[self.start : self.end])
        held = set(self.held[self.held_start : self.held_end])
        return (name for name in self.order[self.start : self.end] if name not in held)

    def __repr__(self) -> str:
        return f"EdgeSet({self.names()})"

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self))

    @property
    def reach(self) -> int:
        """How many edges the replaced subtree carries, moved or still held by a roll-out."""
        return self.end - self.start


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
    waiting: tuple[str, ...] = ()  # edges a roll-out of its replacer still holds here, sorted

    @property
    def root(self) -> str:
        return self.history.last

    @property
    def active(self) -> bool:
        """Not replaced, or replaced by a roll-out that still holds edges here (it stays rendered)."""
        return self.replaced_by is None or bool(self.waiting)


@dataclass(frozen=True)
class EdgeNode:
    name: str
    added_to: str
    publish: str  # the current publish: the root reached from `added_to`
    pipeline: str
    version: str
    history: Chain
    logs: Chain  # pipelines along the history, consecutive repeats collapsed
    wave: tuple[str, str] | None = None  # (replacing publish, wave) of the last roll-out link the edge took

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
    action: str = "pause"  # or "pending": a roll-out still has waves to move; it pauses after `after_wave`
    after_wave: str | None = None  # under a roll-out: the wave whose promotion moves the last edge


@dataclass(frozen=True)
class Replacement:
    publish: str
    replaces: str
    kind: Kind
    source: Side  # "from" in JSON
    target: Side  # "to" in JSON
    edges: EdgeSet  # edges on `replaces` or on anything it replaced
    assays: tuple[AssayPause, ...]


WaveState = Literal["moved", "next", "waiting"]


@dataclass(frozen=True)
class WaveNode:
    name: str
    soak: str | None  # as written, e.g. "2h"
    soak_seconds: int  # 0 without a soak
    edges: tuple[str, ...]  # every edge of the replaced subtrees that falls in this wave, sorted
    state: WaveState  # moved: up to `promoted`; next: the one after; waiting: the rest


@dataclass(frozen=True)
class RolloutNode:
    """The roll-out of one replacing publish over the edges of every publish it replaces."""

    publish: str
    replaces: tuple[str, ...]  # the replaced publishes it applies to (accepted links)
    promoted: str | None  # None: nothing promoted (or an unknown wave, reported elsewhere)
    waves: tuple[WaveNode, ...]
    unassigned: tuple[str, ...]  # edges that match no wave: they stay on the replaced publish

    @property
    def next_wave(self) -> WaveNode | None:
        return next((w for w in self.waves if w.state == "next"), None)

    @property
    def complete(self) -> bool:
        return all(w.state == "moved" for w in self.waves)

    @cached_property
    def _wave_by_edge(self) -> dict[str, WaveNode]:
        return {edge: wave for wave in self.waves for edge in wave.edges}

    def wave_of(self, edge: str) -> WaveNode | None:
        return self._wave_by_edge.get(edge)


@dataclass(frozen=True)
class TransferGraph:
    publishes: Mapping[str, PublishNode]
    edges: Mapping[str, EdgeNode]
    pipelines: Mapping[str, PipelineNode]
    replacements: tuple[Replacement, ...]  # sorted by (publish, replaces)
    rollouts: Mapping[str, RolloutNode] = field(default_factory=dict)  # by replacing publish, sorted

    def roots(self) -> list[str]:
        return sorted(name for name, node in self.publishes.items() if node.active)

    def holding_rollout(self, edge: str) -> RolloutNode | None:
        """The roll-out that keeps an edge where it is (its current publish's replacer's), if any."""
        replacer = self.publishes[self.edges[edge].publish].replaced_by
        return self.rollouts.get(replacer) if replacer is not None else None

    def edge_wave(self, edge: str) -> tuple[str, str, bool] | None:
        """(roll-out publish, wave, moved) for an edge that a roll-out moved or holds; None otherwise."""
        node = self.edges[edge]
        holding = self.holding_rollout(edge)
        if holding is not None:
            wave = holding.wave_of(edge)
            return (holding.publish, wave.name, False) if wave is not None else None
        return (*node.wave, True) if node.wave is not None else None
