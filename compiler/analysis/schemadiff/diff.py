"""Pairing and recursion: walk both schemas by path of names and classify every pair with the rule table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from compiler.analysis.schemadiff.finding import Finding, Pointer, Role, severity_rank
from compiler.analysis.schemadiff.rules import Pair, classify
from compiler.analysis.schemadiff.types import format_type
from compiler.spec.model import DataType, FieldType, LogFormat, SchemaField

Fields = Sequence[SchemaField]
#: The (inputs, outputs) of one version.
Schemas = tuple[Fields, Fields]

_PREFIX: dict[Role, str] = {"input": "in", "output": "out"}


# --------------------------------------------------------------------------------------------------- paths
def _child(parent: str, name: str) -> str:
    return f"{parent}.{name}"


def _items(parent: str) -> str:
    return f"{parent}[]"


def _walk(prefix: str, fields: Fields) -> Iterator[tuple[str, FieldType]]:
    """Every path of a schema with its type, nested struct fields and list items included."""
    for f in fields:
        yield from _walk_type(_child(prefix, f.name), f)


def _walk_type(path: str, t: FieldType) -> Iterator[tuple[str, FieldType]]:
    yield path, t
    if t.type is DataType.STRUCT and t.fields:
        yield from _walk(path, t.fields)
    elif t.type is DataType.LIST and t.items is not None:
        yield from _walk_type(_items(path), t.items)


class History:
    """path -> the type it had in the latest version that held it, per role; grows one version at a time.

    It feeds FIELD_NAME_REUSED. A chain's history is carried forward (`add` the next version) instead of being
    rebuilt from every earlier version for every comparison, which made long chains cubic.
    """

    __slots__ = ("_types",)

    def __init__(self, versions: Sequence[Schemas] = ()) -> None:
        self._types: dict[Role, dict[str, FieldType]] = {"input": {}, "output": {}}
        for schemas in versions:
            self.add(schemas)

    def add(self, schemas: Schemas) -> None:
        self._types["input"].update(_walk(_PREFIX["input"], schemas[0]))
        self._types["output"].update(_walk(_PREFIX["output"], schemas[1]))

    def of(self, role: Role) -> dict[str, FieldType]:
        return self._types[role]


# --------------------------------------------------------------------------------------------------- pairing
def _pair_fields(role: Role, parent: str, old: Fields, new: Fields, history: dict[str, FieldType],
                 old_at: Pointer = (), new_at: Pointer = ()) -> Iterator[Pair]:
    """Match the fields of one parent by name, never by position; name order makes field order irrelevant.

    `old_at`/`new_at` point at the parent's field list in each schema (empty: the top level)."""
    old_by = {f.name: (f, (*old_at, i)) for i, f in enumerate(old)}
    new_by = {f.name: (f, (*new_at, i)) for i, f in enumerate(new)}
    removed = tuple(sorted((f for n, (f, _) in old_by.items() if n not in new_by), key=lambda f: f.name))
    for name in sorted(old_by.keys() | new_by.keys()):
        path = _child(parent, name)
        o, n = old_by.get(name), new_by.get(name)
        if o is not None and n is not None:
            yield from _pair_types(role, path, o[0], n[0], history, o[1], n[1])
        else:
            yield Pair(role, path, o[0] if o else None, n[0] if n else None,
                       removed_siblings=removed if o is None else (), earlier=history.get(path),
                       old_pointer=o[1] if o else None, new_pointer=n[1] if n else None)


def _pair_types(role: Role, path: str, old: FieldType, new: FieldType, history: dict[str, FieldType],
                old_at: Pointer, new_at: Pointer) -> Iterator[Pair]:
    """The pair itself, then the pairs inside it when both sides are the same kind of container."""
    yield Pair(role, path, old, new, old_pointer=old_at, new_pointer=new_at)
    if old.type is DataType.STRUCT and new.type is DataType.STRUCT:
        yield from _pair_fields(role, path, old.fields or (), new.fields or (), history,
                                (*old_at, "fields"), (*new_at, "fields"))
    elif old.type is DataType.LIST and new.type is DataType.LIST and old.items and new.items:
        yield from _pair_types(role, _items(path), old.items, new.items, history,
                               (*old_at, "items"), (*new_at, "items"))


def pairs(role: Role, old: Fields, new: Fields, *, earlier: Sequence[Schemas] | History = (),
          log_format: LogFormat = LogFormat.ICEBERG_V2, logged: bool = True) -> Iterator[Pair]:
    """Every (old, new) pair of one role, at every depth."""
    history = earlier if isinstance(earlier, History) else History(earlier)
    for pair in _pair_fields(role, _PREFIX[role], old, new, history.of(role)):
        yield replace(pair, log_format=log_format, logged=logged)


# ------------------------------------------------------------------------------------------------- public API
def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)


def diff_schemas(
    old_inputs: Fields,
    old_outputs: Fields,
    new_inputs: Fields,
    new_outputs: Fields,
    *,
    earlier: Sequence[Schemas] | History = (),
    log_format: LogFormat = LogFormat.ICEBERG_V2,
) -> list[Finding]:
    """Classify every change from the old to the new schemas, sorted by (path, rule).

    `earlier` holds the (inputs, outputs) of versions older than `old`, oldest first (or their `History`); it only feeds
    FIELD_NAME_REUSED (a name dropped before `old` that comes back with another type). `log_format` is the
    inference-log table's format, whose promotions judge log column changes.
    """
    sides: tuple[tuple[Role, Fields, Fields], ...] = (
        ("input", old_inputs, new_inputs),
        ("output", old_outputs, new_outputs),
    )
    history = earlier if isinstance(earlier, History) else History(earlier)
    found = [
        finding
        for role, old, new in sides
        for pair in pairs(role, old, new, earlier=history, log_format=log_format)
        for finding in classify(pair)
    ]
    return _sorted(found)


def step_feed_findings(producer_outputs: Fields, consumer_inputs: Fields) -> list[Finding]:
    """Can one step's outputs feed the next step's inputs?

    The producer acts as a client sending its outputs to the consumer's inputs, so the input-role rules apply
    with the producer as the old side. A finding with `clients == error` means a `step-mismatch`. Step
    boundaries are not logged, so every log verdict is info.
    """
    found = [finding for pair in pairs("input", producer_outputs, consumer_inputs, logged=False)
             for finding in classify(pair)]
    return _sorted(found)


def log_schema(inputs: Fields, outputs: Fields) -> list[tuple[str, str]]:
    """The version's log columns in schema order: `in.<field>` then `out.<field>`, with rendered types."""
    return [(_child(_PREFIX["input"], f.name), format_type(f)) for f in inputs] + [
        (_child(_PREFIX["output"], f.name), format_type(f)) for f in outputs
    ]


def _badness(f: Finding) -> tuple[int, int, int]:
    return (severity_rank(f.severity), severity_rank(f.clients), severity_rank(f.log))


def diff_transitive(
    chain: Sequence[Schemas],
    new_inputs: Fields,
    new_outputs: Fields,
    *,
    labels: Sequence[str] | None = None,
    log_format: LogFormat = LogFormat.ICEBERG_V2,
) -> list[Finding]:
    """Diff the new schemas against every earlier version in `chain` (oldest first, the replaced one last).

    One finding per (rule, path) is kept: the worst; on a tie, the one against the most recent version. With
    `labels` (one per chain entry, e.g. publish names), a finding not against the last entry carries its label
    in `compared_with`.
    """
    if labels is not None and len(labels) != len(chain):
        raise ValueError("labels must name every entry of the chain")
    best: dict[tuple[str, str], tuple[tuple[int, int, int, int], Finding]] = {}
    history = History()  # of chain[:index], carried forward: one walk per version, not one per comparison
    for index, (old_inputs, old_outputs) in enumerate(chain):
        found = diff_schemas(old_inputs, old_outputs, new_inputs, new_outputs, earlier=history,
                             log_format=log_format)
        history.add(chain[index])
        for f in found:
            if labels is not None and index != len(chain) - 1:
                f = replace(f, compared_with=labels[index])
            key = (*_badness(f), index)
            current = best.get((f.rule, f.path))
            if current is None or key > current[0]:
                best[(f.rule, f.path)] = (key, f)
    return _sorted([f for _, f in best.values()])
