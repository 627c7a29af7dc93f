"""The values of the edge-transfer graph: immutable nodes, shared-tail histories and edge spans."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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
