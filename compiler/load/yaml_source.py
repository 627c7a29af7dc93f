"""Parse one YAML file into documents that remember where every key and value stands.

ruamel.yaml's C parser composes nodes with line/column marks; this module builds plain Python data from them
(the round-trip constructor is about 5x slower) and keeps each document's node tree, so a diagnostic can look up
the position of any path lazily instead of paying for a position index on every load.

Limits protect the compiler from hostile input: a file larger than `max_bytes` is refused before it is read, an
alias bomb is stopped once construction has expanded `max_nodes` nodes, and nesting deeper than `max_depth` is
refused instead of exhausting the stack.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.cyaml import CParser
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

from compiler.diagnostics import Diagnostic, Location

MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 100

_TAG = "tag:yaml.org,2002:"
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_BOOLS = {"true": True, "false": False}

PathItem = str | int


@dataclass
class SourceDocument:
    """One YAML document of a spec file: its data and the node tree that locates its parts."""

    file: str  # as shown to the user: relative to the spec root, POSIX separators
    index: int  # 0-based position of the document in its file
    node: Node
    data: Any

    def location(self, path: Sequence[PathItem] = (), *, key: bool = False) -> Location:
        """Where `path` stands (its key with `key=True`); the nearest existing ancestor when it is absent."""
        node, key_node = self.node, None
        for item in path:
            child = _child(node, item)
            if child is None:
                break
            key_node, node = child
        target = key_node if key and key_node is not None else node
        return Location(self.file, target.start_mark.line + 1, target.start_mark.column + 1)


def _child(node: Node, item: PathItem) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(item, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == item:
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(item, int) and 0 <= item < len(node.value):
        return None, node.value[item]
    return None


class _Refused(Exception):
    def __init__(self, node: Node | None, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.node, self.code, self.message, self.hint = node, code, message, hint


def _expanded_size(node: Node, memo: dict[int, int], depth: int, max_depth: int) -> int:
    """Nodes that building `node` would create, counting every alias use; shared nodes are sized once."""
    known = memo.get(id(node))
    if known is not None:
        return known
    if depth > max_depth:
        raise _Refused(node, "input-limit", f"nesting deeper than {max_depth} levels")
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(child, memo, depth + 1, max_depth) for child in node.value)
    elif isinstance(node, MappingNode):
        size += sum(_expanded_size(k, memo, depth + 1, max_depth) + _expanded_size(v, memo, depth + 1, max_depth)
                    for k, v in node.value)
    memo[id(node)] = size
    return size


class _Builder:
    """Turns composed nodes into plain data (YAML 1.2 core schema)."""

    def __init__(self, max_nodes: int, max_depth: int, *, aliases: bool = True) -> None:
        self.budget = max_nodes
        self.max_depth = max_depth
        self.aliases = aliases  # False when the text has no `*`: then no node is shared and nothing expands

    def build_document(self, node: Node) -> Any:
        # Aliases make a small node graph expand into a huge tree (billion laughs): size it before building.
        if not self.aliases:
            return self.build(node)  # nesting depth is still bounded by `build`
        self.budget -= _expanded_size(node, {}, 0, self.max_depth)
        if self.budget < 0:
            raise _Refused(node, "input-limit", "the file expands to too many nodes (an alias bomb?)",
                           f"at most {MAX_NODES:,} nodes are expanded per file")
        return self.build(node)

    def build(self, node: Node, depth: int = 0) -> Any:
        if depth > self.max_depth:
            raise _Refused(node, "input-limit", f"nesting deeper than {self.max_depth} levels")
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        if isinstance(node, MappingNode):
            return self._mapping(node, depth)
        raise _Refused(node, "yaml-syntax", f"unsupported node {node.tag}")

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.value == "<<" and key_node.tag == _TAG + "merge":
                for source in _merge_sources(value_node):
                    merged.update({k: v for k, v in self.build(source, depth + 1).items() if k not in merged})
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Refused(key_node, "yaml-syntax", "mapping keys must be plain scalars")
            key = key_node.value
            if key in out:
                raise _Refused(key_node, "yaml-syntax", f"duplicate key {key!r}",
                               "a YAML mapping may name each key once")
            out[key] = self.build(value_node, depth + 1)
        for key, value in merged.items():
            out.setdefault(key, value)
        return out


def _merge_sources(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
        return list(node.value)
    raise _Refused(node, "yaml-syntax", "a merge key '<<' takes a mapping or a list of mappings")


def _scalar(node: ScalarNode) -> Any:
    tag, text = node.tag, node.value
    if tag == _TAG + "str" or tag in (_TAG + "timestamp", _TAG + "binary"):
        return text  # timestamps stay text: the spec format has no date-typed value
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return _BOOLS.get(text.lower(), text)
    if tag == _TAG + "int":
        return _int(node)
    if tag == _TAG + "float":
        lowered = text.lower().replace("_", "")
        if lowered in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[lowered]
        try:
            return float(lowered)
        except ValueError:
            raise _Refused(node, "yaml-syntax", f"invalid float {text!r}") from None
    raise _Refused(node, "yaml-syntax", f"unsupported tag {tag!r}", "spec files use plain YAML values only")


def _int(node: ScalarNode) -> int:
    text = node.value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lower()
    try:
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0b"):
            return sign * int(digits[2:], 2)
        return sign * int(digits, 10)
    except ValueError:
        raise _Refused(node, "yaml-syntax", f"invalid integer {node.value!r}") from None


def _core_schema_table() -> dict[str | None, tuple[tuple[str, Any], ...]]:
    """YAML 1.2 core-schema implicit resolvers by first character, each list complete (with the catch-alls)."""
    by_first: dict[str | None, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            chars: list[str | None] = list(first) if first else [None]
            for char in chars:
                by_first.setdefault(char, []).append((tag, regexp))
    catch_all = by_first.get(None, [])
    return {char: tuple(entries + (catch_all if char is not None else [])) for char, entries in by_first.items()}


_CORE_SCHEMA = _core_schema_table()


class _NodeLoader(CParser, BaseResolver):
    """libyaml's composer with YAML 1.2 core tag resolution and nothing else (no constructor).

    ruamel's `YAML.compose_all` builds a loader class and fresh resolver tables on every call, and its resolver
    looks the YAML version up per scalar through a scanner the C parser does not have: most of the time of a
    large repository went there. The tables here are built once and never mutated (ruamel's `resolve` extends
    its cached lists in place, which is why they could not simply be shared).
    """

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self, loadumper=self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in _CORE_SCHEMA.get(value[0] if value else "", _CORE_SCHEMA.get(None, ())):
                if regexp.match(value):
                    return Tag(suffix=tag)
        if kind is ScalarNode:
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


def _compose_all(text: str) -> Iterator[Node]:
    loader = _NodeLoader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def parse_yaml(
    path: Path,
    display: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> tuple[list[SourceDocument], list[Diagnostic]]:
    """Parse `path` into its non-empty documents; on an error, the documents before it and the diagnostic."""
    where = Location(display)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return [], [Diagnostic.at(where, "input-limit", f"file is {size:,} bytes; the limit is {max_bytes:,}",
                                      hint="split large specs into several files")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Diagnostic.at(where, "io-error", f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Diagnostic.at(where, "yaml-syntax", f"file is not UTF-8 text (byte {exc.start})")]
    return parse_yaml_text(text, display, max_nodes=max_nodes, max_depth=max_depth)


def parse_yaml_text(
    text: str, display: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> tuple[list[SourceDocument], list[Diagnostic]]:
    documents: list[SourceDocument] = []
    builder = _Builder(max_nodes, max_depth, aliases="*" in text)
    index = 0
    try:
        for node in _compose_all(text):
            if node is None:
                continue
            data = builder.build_document(node)
            documents.append(SourceDocument(display, index, node, data))
            index += 1
    except _Refused as exc:
        loc = _node_location(display, exc.node)
        return documents, [Diagnostic.at(loc, exc.code, exc.message, hint=exc.hint)]
    except MarkedYAMLError as exc:
        return documents, [_syntax_diagnostic(display, exc)]
    except YAMLError as exc:
        return documents, [Diagnostic.at(Location(display), "yaml-syntax", str(exc).strip() or "invalid YAML")]
    except RecursionError:
        return documents, [Diagnostic.at(Location(display), "input-limit", f"nesting deeper than {max_depth} levels")]
    return documents, []


def _node_location(display: str, node: Node | None) -> Location:
    if node is None:
        return Location(display)
    return Location(display, node.start_mark.line + 1, node.start_mark.column + 1)


def _syntax_diagnostic(display: str, exc: MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or "invalid YAML").strip()
    context = (exc.context or "").strip()
    message = f"{problem} ({context})" if context else problem
    loc = Location(display, mark.line + 1, mark.column + 1) if mark is not None else Location(display)
    return Diagnostic.at(loc, "yaml-syntax", message)
