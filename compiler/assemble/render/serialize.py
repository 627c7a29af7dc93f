"""Deterministic YAML and JSON text for everything edgec renders.

Every user-supplied string reaches a rendered file only through these functions. Strings are emitted plain only
when a conservative pattern proves that YAML 1.1 and 1.2 parsers both read them back as the same string (Helm,
Argo CD and Flux parse YAML 1.1 style: `on`, `no`, `0755` or `1e3` plain would become a bool or a number);
anything else is double-quoted with escapes, so a newline, `: `, `{{ }}`, `*alias`, `&anchor` or `---` can
never add a key or a document. Mapping keys are sorted (except the Kubernetes head keys, first at the top
level), aliases are never emitted, lines end in `\\n`.

`to_yaml` writes the text directly (`_emit`): ruamel's emitter, built anew for every document, cost ~29 ms per
edge. The direct emitter produces exactly ruamel's bytes for these settings (a tested property, against ruamel
on hypothesis-generated documents) and hands a document to ruamel whenever it meets a case it does not model
(a top-level scalar, a key of 100 characters or more or with a line break, a quoted scalar long enough for
ruamel to fold, a subclass of a scalar type, a non-finite float).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter

#: Top-level keys of a Kubernetes document, in the order people read them; all other keys are sorted.
HEAD_KEYS = ("apiVersion", "kind", "metadata", "spec")

_PLAIN_SAFE = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./@=+-]*(:[A-Za-z0-9_./@=+-]+)*$")
# YAML 1.1 booleans and nulls (Go's yaml.v2 also reads y/n); compared case-insensitively.
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "_"})


def _plain_ok(text: str) -> bool:
    return bool(_PLAIN_SAFE.fullmatch(text)) and text.lower() not in _YAML11_WORDS


class _Representer(SafeRepresenter):
    sort_base_mapping_type_on_output = False  # `canonical` has ordered the keys already

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_str(self, data: str) -> Any:
        style = None if _plain_ok(data) else '"'
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    def represent_float(self, data: float) -> Any:
        if not math.isfinite(data):
            raise ValueError(f"cannot render the non-finite number {data!r}")
        return super().represent_float(data)


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(float, _Representer.represent_float)


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold long scalars (base64 bundles): one value, one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _canonical_child(obj: Any) -> Any:
    """`canonical(obj, top=False)`, with exact built-in types first (ABC checks were a third of render time)."""
    kind = type(obj)
    if kind is str or kind is int or kind is bool or kind is float or obj is None:
        return obj
    if kind is dict and all(type(key) is str for key in obj):
        return {key: _canonical_child(obj[key]) for key in sorted(obj)}
    if kind is list or kind is tuple:
        return [_canonical_child(item) for item in obj]
    return canonical(obj, top=False)


def canonical(obj: Any, *, top: bool = True) -> Any:
    """Plain dicts, lists and scalars with keys in the rendering order; refuses anything else."""
    if isinstance(obj, Mapping):
        keys = list(obj)
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"mapping keys must be strings, got {key!r}")
        head = [k for k in HEAD_KEYS if k in obj] if top else []
        ordered = head + sorted(k for k in keys if k not in head)
        return {k: _canonical_child(obj[k]) for k in ordered}
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):
        return [_canonical_child(item) for item in obj]
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"cannot render a {type(obj).__name__}")


def to_yaml(obj: Any) -> str:
    """One YAML document (no `---`), ending in a newline."""
    data = canonical(obj)
    try:
        return _emit(data)
    except _Unmodelled:
        return _ruamel_text(data)


def ruamel_yaml(obj: Any) -> str:
    """`to_yaml` through ruamel's emitter only: the reference the direct emitter is tested against."""
    return _ruamel_text(canonical(obj))


def _ruamel_text(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    text = out.getvalue()
    if text.endswith("\n...\n"):  # ruamel closes a lone top-level scalar with an explicit end marker
        text = text[: -len("...\n")]
    return text


# ----------------------------------------------------------------------------------------- direct emitter
class _Unmodelled(Exception):
    """A document the direct emitter leaves to ruamel."""


# ruamel's block style with `indent(mapping=2, sequence=4, offset=2)`: a sequence under a key at column k puts
# its dashes at k + 2 and the items' content at k + 4; a sequence inside a sequence item starts on the dash line.
_FOLD_MARGIN = 4000  # ruamel folds double-quoted scalars past column 4096 (`width`); stay well below
_SIMPLE_KEY = 100  # ruamel writes keys of 128 characters or more in the explicit `? key` form
# Characters ruamel writes literally inside double quotes with allow_unicode (everything else is escaped).
_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\x09": "t", "\x0a": "n", "\x0b": "v", "\x0c": "f",
            "\x0d": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}
_NEEDS_ESCAPE = re.compile('["\\\\\x85\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')

_LINE_BREAK = re.compile("[\n\x85\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return "\\" + _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _quoted(text: str, column: int) -> str:
    out = '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'
    if column + len(out) > _FOLD_MARGIN:
        raise _Unmodelled
    return out


def _scalar(value: Any, column: int) -> str:
    kind = type(value)
    if kind is str:
        return value if _plain_ok(value) else _quoted(value, column)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float and math.isfinite(value):
        return repr(value).lower()
    raise _Unmodelled


def _key(key: str, column: int) -> str:
    if len(key) >= _SIMPLE_KEY:
        raise _Unmodelled
    if _plain_ok(key):
        return key
    if _LINE_BREAK.search(key):  # ruamel writes a multi-line key in the explicit `? key` form
        raise _Unmodelled
    return _quoted(key, column)


def _mapping(mapping: dict[str, Any], column: int, out: list[str], lead: str) -> None:
    pad = " " * column
    for index, (key, value) in enumerate(mapping.items()):
        text = _key(key, column)
        out.append(lead if index == 0 else pad)
        if value and type(value) is dict:
            out.append(text + ":\n")
            _mapping(value, column + 2, out, " " * (column + 2))
        elif value and type(value) is list:
            out.append(text + ":\n")
            _sequence(value, column, out, " " * (column + 2) + "- ")
        else:
            out.append(f"{text}: {_flow(value, column + len(text) + 2)}\n")


def _sequence(items: list[Any], base: int, out: list[str], lead: str) -> None:
    dash = " " * (base + 2) + "- "
    for index, item in enumerate(items):
        out.append(lead if index == 0 else dash)
        if item and type(item) is dict:
            _mapping(item, base + 4, out, "")
        elif item and type(item) is list:
            _sequence(item, base + 4, out, "  - ")
        else:
            out.append(_flow(item, base + 4) + "\n")


def _flow(value: Any, column: int) -> str:
    """A scalar, or an empty collection (ruamel writes those in flow style whatever the default)."""
    if type(value) is dict:
        return "{}"
    if type(value) is list:
        return "[]"
    return _scalar(value, column)


def _emit(data: Any) -> str:
    out: list[str] = []
    if data and type(data) is dict:
        _mapping(data, 0, out, "")
    elif data and type(data) is list:
        _sequence(data, 0, out, "  - ")
    elif type(data) is dict or type(data) is list:
        out.append(_flow(data, 0) + "\n")
    else:
        raise _Unmodelled  # a top-level scalar: ruamel's document-end handling decides
    return "".join(out)


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """Sorted keys, ASCII-safe escapes; with an indent, ends in a newline."""
    text = json.dumps(obj, sort_keys=True, indent=indent, ensure_ascii=True, allow_nan=False)
    return text + "\n" if indent is not None else text
