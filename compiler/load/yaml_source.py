"""Parse one YAML file into plain data, with every limit checked before the work it guards.

The parser is libyaml 0.2.5 as PyYAML's wheels bundle it (`yaml._yaml.CParser`); ruamel.yaml.clib bundles libyaml
0.1.7, which rejects plain scalars holding `:` in flow context (`{url: https://x}`). Its event stream is turned
into data here by a loop without recursion, so that nesting depth, node count and alias expansion are counted as
each event arrives and refused there, with the event's position: no composer ever recurses (libyaml's own
composer recurses without a bound and segfaults on ~40,000 nested `[`).

No node tree is kept: a document keeps its data, and the positions of its parts are computed only when a
diagnostic asks for one, by reading the same text again (`SourceDocument.location`). A clean run therefore never
builds position objects for the garbage collector to walk.

YAML 1.2 differs from libyaml's 1.1 reader in two ways handled here: U+0085, U+2028 and U+2029 are not line
breaks (they are swapped for private-use characters while parsing, so positions do not shift, and restored in
values), and scalars resolve by the core schema (`compiler.load.yaml_scalars`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml import MarkedYAMLError, YAMLError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from compiler.diagnostics import Diagnostic, Location
from compiler.load import yaml_scalars as scalars
from compiler.load.spec_reading import MAX_BYTES, read_spec_text

MAX_NODES = 1_000_000  # per file: a generated file of 80,000 edges (about 12 nodes each) still fits
MAX_TOTAL_NODES = 5_000_000  # per run: a 100,000-resource fleet is about 3.5 million
MAX_DEPTH = 100

PathItem = str | int
Path_ = tuple[PathItem, ...]

_BREAKS = "\x85\u2028\u2029"
# What YAML 1.2 allows in a stream (c-printable), less U+FEFF, which libyaml refuses inside a document.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_MERGE = object()  # the pending key of a mapping after a `<<` merge key


class NodeBudget:
    """Nodes a whole run may build, shared by every file it parses."""

    def __init__(self, total: int = MAX_TOTAL_NODES) -> None:
        self.left = total
        self.total = total


# ----------------------------------------------------------------------------------------------------- documents
@dataclass(eq=False)
class _FileText:
    """The text a file was parsed from, and the positions of its documents once a diagnostic asked for one."""

    text: str
    trees: list[_Position] | None = None
    documents: int = 0  # how many documents were built: positions are read no further (past them, no limit held)

    def tree(self, index: int) -> _Position | None:
        if self.trees is None:
            self.trees = _position_trees(self.text, self.documents)
        return self.trees[index] if index < len(self.trees) else None


@dataclass(eq=False)
class SourceDocument:
    """One non-empty YAML document of a spec file: its data, and where its parts stand."""

    file: str  # as shown to the user: relative to the spec root, POSIX separators
    index: int  # 0-based position among the file's non-empty documents
    data: Any
    source: _FileText = field(repr=False)
    #: paths of `.inf`/`.nan` values: valid YAML, but no spec value may be one (JSON cannot hold them)
    non_finite: tuple[tuple[PathItem, ...], ...] = ()

    def location(self, path: Sequence[PathItem] = (), *, key: bool = False) -> Location:
        """Where `path` stands (its key with `key=True`); the nearest existing ancestor when it is absent."""
        node = self.source.tree(self.index)
        if node is None:
            return Location(self.file)
        line, column = node.line, node.column
        for item in path:
            step = node.child(item)
            if step is None:
                break
            key_at, node = step
            line, column = key_at if key and key_at is not None else (node.line, node.column)
        return Location(self.file, line, column)

    def scalar_text(self, path: Sequence[PathItem]) -> str | None:
        """The scalar at `path` as written (`1.10` where the data holds 1.1), or None."""
        node = self.source.tree(self.index)
        for item in path:
            step = node.child(item) if node is not None else None
            if step is None:
                return None
            node = step[1]
        return node.text if node is not None else None


@dataclass(eq=False, slots=True)
class _Position:
    line: int  # 1-based
    column: int
    keys: dict[str, tuple[tuple[int, int], _Position]] | None = None
    items: list[_Position] | None = None
    text: str | None = None  # plain scalars only

    def child(self, item: PathItem) -> tuple[tuple[int, int] | None, _Position] | None:
        if self.keys is not None and isinstance(item, str) and item in self.keys:
            return self.keys[item]
        if self.items is not None and isinstance(item, int) and 0 <= item < len(self.items):
            return None, self.items[item]
        return None


# --------------------------------------------------------------------------------------------------------- entry
def parse_yaml(
    path: Path,
    display: str,
    *,
    root: Path | None = None,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
    budget: NodeBudget | None = None,
) -> tuple[list[SourceDocument], list[Diagnostic]]:
    """Parse `path` into its non-empty documents; on an error, the documents before it and the diagnostic."""
    text, problem = read_spec_text(path, display, root=root, max_bytes=max_bytes)
    if problem is not None:
        return [], [problem]
    assert text is not None
    return parse_yaml_text(text, display, max_nodes=max_nodes, max_depth=max_depth, budget=budget)


def parse_yaml_text(
    text: str,
    display: str,
    *,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
    budget: NodeBudget | None = None,
) -> tuple[list[SourceDocument], list[Diagnostic]]:
    bad = _FORBIDDEN.search(text)
    if bad is None:
        return _parse(text, display, max_nodes, max_depth, budget)
    # The documents before the character still count; an error the cut itself causes is not the user's.
    forbidden = _forbidden_character(display, text, bad.start())
    documents, problems = _parse(text[:bad.start()], display, max_nodes, max_depth, budget)
    real = [p for p in problems if p.line is not None and forbidden.line is not None and p.line < forbidden.line]
    return documents, real or [forbidden]


def _parse(text: str, display: str, max_nodes: int, max_depth: int,
           budget: NodeBudget | None) -> tuple[list[SourceDocument], list[Diagnostic]]:
    documents: list[SourceDocument] = []
    source = _FileText(text)
    builder = _Builder(max_nodes, max_depth, budget or NodeBudget())
    try:
        for data, non_finite in builder.documents(_parser_text(text)):
            documents.append(SourceDocument(display, len(documents), data, source, non_finite))
            source.documents = len(documents)
    except _Refused as exc:
        return documents, [Diagnostic.at(Location(display, exc.line, exc.column), exc.code, exc.message,
                                         hint=exc.hint)]
    except MarkedYAMLError as exc:
        return documents, [_syntax_diagnostic(display, exc)]
    except YAMLError as exc:
        message = (str(exc).strip() or "invalid YAML").splitlines()[0]
        return documents, [Diagnostic.at(Location(display), "yaml-syntax", message)]
    return documents, []


def _forbidden_character(display: str, text: str, index: int) -> Diagnostic:
    char = text[index]
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    line, column = len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1
    what = "a byte-order mark (U+FEFF)" if char == "\ufeff" else f"control character U+{ord(char):04X}"
    escape = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    return Diagnostic.at(Location(display, line, column), "yaml-syntax", f"{what} is not allowed in YAML text",
                         hint=f'remove it, or write it as the escape "{escape}" in a double-quoted string')


def _syntax_diagnostic(display: str, exc: MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or "invalid YAML").strip()
    context = (exc.context or "").strip()
    message = " ".join((f"{problem} ({context})" if context else problem).split())
    loc = Location(display, mark.line + 1, mark.column + 1) if mark is not None else Location(display)
    return Diagnostic.at(loc, "yaml-syntax", message)


# -------------------------------------------------------------------------------------------------- the builder
class _Refused(Exception):
    def __init__(self, mark: Any, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line: int | None = mark.line + 1 if mark is not None else None
        self.column: int | None = mark.column + 1 if mark is not None else None
        self.code, self.message, self.hint = code, message, hint


class _Placeholders:
    """U+0085/U+2028/U+2029 swapped for private-use characters absent from the text, one for one."""

    def __init__(self, text: str) -> None:
        free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        self.there = {ord(b): p for b, p in zip(_BREAKS, free, strict=False)}
        self.back = str.maketrans({p: chr(b) for b, p in self.there.items()})


def _parser_text(text: str) -> tuple[str, _Placeholders | None]:
    if not any(b in text for b in _BREAKS):
        return text, None
    swap = _Placeholders(text)
    return text.translate(swap.there), swap


class _Frame:
    __slots__ = ("anchor", "container", "expect_key", "key", "key_ids", "mark", "merges", "size")

    def __init__(self, container: dict[str, Any] | list[Any], anchor: str | None, mark: Any) -> None:
        self.container = container
        self.anchor = anchor
        self.mark = mark
        self.size = 1
        self.expect_key = isinstance(container, dict)
        self.key: Any = None
        self.key_ids: set[tuple[str, Any]] = set()
        self.merges: list[dict[str, Any]] = []


class _Builder:
    """Turns libyaml events into plain data, counting nodes (aliases expanded) and depth as it goes."""

    def __init__(self, max_nodes: int, max_depth: int, budget: NodeBudget) -> None:
        self.max_nodes, self.max_depth, self.budget = max_nodes, max_depth, budget
        self.used = 0

    def _spend(self, count: int, mark: Any) -> None:
        self.used += count
        self.budget.left -= count
        if self.used > self.max_nodes:
            raise _Refused(mark, "input-limit", f"the file holds more than {self.max_nodes:,} YAML nodes "
                           "(aliases counted expanded)", "split it into several files")
        if self.budget.left < 0:
            raise _Refused(mark, "input-limit", f"the spec root holds more than {self.budget.total:,} YAML nodes "
                           "in all", "exclude what is not a spec in edgec.yaml, or split the spec root")

    def documents(self, prepared: tuple[str, _Placeholders | None]) -> Iterator[tuple[Any, tuple[Path_, ...]]]:
        text, swap = prepared
        back = swap.back if swap is not None else None
        parser = CParser(text)
        try:
            yield from self._run(parser, back)
        finally:
            parser.dispose()

    def _run(self, parser: Any, back: dict[int, str] | None) -> Iterator[tuple[Any, tuple[Path_, ...]]]:
        stack: list[_Frame] = []
        non_finite: list[Path_] = []
        anchors: dict[str, tuple[Any, int, str | None]] = {}
        root: list[Any] = []
        empty = False
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is ScalarEvent:
                raw = event.value if back is None else event.value.translate(back)
                tag, style = event.tag, event.style
                self._spend(1, event.start_mark)
                if not stack and not root and style == "" and raw == "" and tag is None and event.anchor is None:
                    empty = True  # a document holding nothing (comments only, or a bare `---`)
                    root.append(None)
                    continue
                if stack and stack[-1].expect_key:
                    self._key(stack[-1], raw, tag, style, event)
                    if event.anchor is not None:
                        anchors[event.anchor] = (raw, 1, raw)
                    continue
                value = _scalar_value(raw, tag, style, event)
                if type(value) is float and not math.isfinite(value):
                    non_finite.append(_path_of(stack))
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1, raw)
                self._attach(stack, root, value, event.start_mark, 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                is_map = kind is MappingStartEvent
                if stack and stack[-1].expect_key:
                    raise _Refused(event.start_mark, "yaml-syntax", "mapping keys must be plain scalars",
                                   "a spec file's keys are names, not mappings or lists")
                if event.tag is not None and event.tag not in scalars.COLLECTION_TAGS["map" if is_map else "seq"]:
                    raise _unsupported_tag(event.tag, event.start_mark)
                if len(stack) >= self.max_depth:
                    raise _Refused(event.start_mark, "input-limit", f"nesting deeper than {self.max_depth} levels",
                                   "spec files nest a few levels; this looks generated or hostile")
                self._spend(1, event.start_mark)
                stack.append(_Frame({} if is_map else [], event.anchor, event.start_mark))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                value = frame.container
                if frame.merges:
                    _apply_merges(value, frame.merges)  # type: ignore[arg-type]
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, frame.size, None)
                self._attach(stack, root, value, frame.mark, frame.size)
            elif kind is AliasEvent:
                target = anchors.get(event.anchor)
                if target is None:
                    raise _Refused(event.start_mark, "yaml-syntax", f"found undefined alias {event.anchor!r}")
                value, size, raw = target
                self._spend(size, event.start_mark)
                if stack and stack[-1].expect_key:
                    if raw is None:
                        raise _Refused(event.start_mark, "yaml-syntax", "mapping keys must be plain scalars")
                    self._key(stack[-1], raw, None, "'", event)
                    continue
                if _has_non_finite(value):
                    non_finite.append(_path_of(stack))
                self._attach(stack, root, _copy(value), event.start_mark, size)
            elif kind is DocumentStartEvent:
                root.clear()
                anchors.clear()
                non_finite = []
                empty = False
            elif kind is DocumentEndEvent and root and not empty:
                yield root[0], tuple(non_finite)

    def _key(self, frame: _Frame, raw: str, tag: str | None, style: str, event: Any) -> None:
        if tag is not None and tag not in scalars.SCALAR_TAGS:
            raise _unsupported_tag(tag, event.start_mark)
        if style == "" and tag is None and raw == "<<":
            identity: tuple[str, Any] = ("merge", None)
            frame.key = _MERGE
        else:
            value = _scalar_value(raw, tag, style, event)
            identity = scalars.key_identity(scalars.tag_of(value), value)
            frame.key = raw
        if identity in frame.key_ids:
            raise _Refused(event.start_mark, "yaml-syntax", f"duplicate key {raw!r}",
                           "a YAML mapping may name each key once (1, 01 and 0x1 are one key; so are ~ and null)")
        frame.key_ids.add(identity)
        frame.expect_key = False
        frame.size += 1

    def _attach(self, stack: list[_Frame], root: list[Any], value: Any, mark: Any, size: int) -> None:
        if not stack:
            root.append(value)
            return
        frame = stack[-1]
        frame.size += size
        container = frame.container
        if type(container) is list:
            container.append(value)
        elif frame.key is _MERGE:
            frame.merges += _merge_sources(value, mark)
            frame.expect_key = True
        else:
            container[frame.key] = value
            frame.expect_key = True


def _path_of(stack: list[_Frame]) -> Path_:
    """The data path of the value being built on top of `stack`."""
    return tuple(len(frame.container) if type(frame.container) is list else "<<" if frame.key is _MERGE
                 else frame.key for frame in stack)


def _has_non_finite(value: Any) -> bool:
    if type(value) is float:
        return not math.isfinite(value)
    if type(value) is dict:
        return any(_has_non_finite(v) for v in value.values())
    if type(value) is list:
        return any(_has_non_finite(v) for v in value)
    return False


def _scalar_value(raw: str, tag: str | None, style: str, event: Any) -> Any:
    try:
        if tag is None:
            return scalars.plain_value(raw) if style == "" else raw
        if tag not in scalars.SCALAR_TAGS:
            raise _unsupported_tag(tag, event.start_mark)
        return scalars.tagged_value(tag, raw)
    except scalars.ScalarError as exc:
        raise _Refused(event.start_mark, "yaml-syntax", str(exc)) from None
    except scalars.NumberTooLong as exc:
        raise _Refused(event.start_mark, "input-limit", str(exc), "no spec value is a number this long") from None


def _unsupported_tag(tag: str, mark: Any) -> _Refused:
    return _Refused(mark, "yaml-syntax", f"unsupported tag {tag!r}", "spec files use plain YAML values only")


def _merge_sources(value: Any, mark: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return list(value)
    raise _Refused(mark, "yaml-syntax", "a merge key '<<' takes a mapping or a list of mappings")


def _apply_merges(mapping: dict[str, Any], sources: list[dict[str, Any]]) -> None:
    for source in sources:
        for key, value in source.items():
            mapping.setdefault(key, value)  # explicit keys win; among sources, the first one wins


def _copy(value: Any) -> Any:
    """A fresh copy of an aliased value, so that no two places of the data share a mutable object."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


# ------------------------------------------------------------------------------------------------------ positions
def _position_trees(text: str, count: int) -> list[_Position]:
    """The position trees of the first `count` non-empty documents of `text`, as `parse_yaml_text` numbered them
    (those passed every limit, so reading them again is bounded too)."""
    prepared, swap = _parser_text(text)
    back = swap.back if swap is not None else None
    trees: list[_Position] = []
    stack: list[tuple[_Position, list[Any]]] = []  # node, [pending key text, its position]
    root: _Position | None = None
    parser = CParser(prepared)
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            mark = event.start_mark
            if kind is DocumentStartEvent:
                root, stack = None, []
                continue
            if kind is DocumentEndEvent:
                if root is not None and not (root.text == "" and root.keys is None and root.items is None):
                    trees.append(root)
                if len(trees) >= count:
                    break
                continue
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                node = stack.pop()[0]
            elif kind is ScalarEvent or kind is AliasEvent:
                raw = getattr(event, "value", None)
                if raw is not None and back is not None:
                    raw = raw.translate(back)
                plain = kind is ScalarEvent and event.style == "" and event.tag is None and event.anchor is None
                node = _Position(mark.line + 1, mark.column + 1, text=raw if plain else None)
                if stack and stack[-1][1][0] is None and stack[-1][0].keys is not None:
                    stack[-1][1][:] = [raw if raw is not None else "", (mark.line + 1, mark.column + 1)]
                    continue
            else:
                is_map = kind is MappingStartEvent
                node = _Position(mark.line + 1, mark.column + 1, keys={} if is_map else None,
                                 items=None if is_map else [])
                _place(stack, node)
                stack.append((node, [None, None]))
                if not stack[:-1] and root is None:
                    root = node
                continue
            if kind is ScalarEvent or kind is AliasEvent:
                if not stack:
                    root = node
                    continue
                _place(stack, node)
    except YAMLError:
        pass  # the text past an error was never data; positions before it are kept
    finally:
        parser.dispose()
    return trees


def _place(stack: list[tuple[_Position, list[Any]]], node: _Position) -> None:
    if not stack:
        return
    parent, pending = stack[-1]
    if parent.items is not None:
        parent.items.append(node)
    elif parent.keys is not None and pending[0] is not None:
        parent.keys.setdefault(pending[0], (pending[1], node))
        pending[:] = [None, None]
