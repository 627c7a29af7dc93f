"""Deterministic YAML and JSON text for everything edgec renders.

Every user-supplied string reaches a rendered file only through these functions. Strings are emitted plain only
when a conservative pattern proves that YAML 1.1 and 1.2 parsers both read them back as the same string (Helm,
Argo CD and Flux parse YAML 1.1 style: `on`, `no`, `0755` or `1e3` plain would become a bool or a number);
anything else is double-quoted with escapes, so a newline, `: `, `{{ }}`, `*alias`, `&anchor` or `---` can
never add a key or a document. Mapping keys are sorted (except the Kubernetes head keys, first at the top
level), aliases are never emitted, lines end in `\\n`.
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
    return bool(_PLAIN_SAFE.match(text)) and text.lower() not in _YAML11_WORDS


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


def canonical(obj: Any, *, top: bool = True) -> Any:
    """Plain dicts, lists and scalars with keys in the rendering order; refuses anything else."""
    if isinstance(obj, Mapping):
        keys = list(obj)
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"mapping keys must be strings, got {key!r}")
        head = [k for k in HEAD_KEYS if k in obj] if top else []
        ordered = head + sorted(k for k in keys if k not in head)
        return {k: canonical(obj[k], top=False) for k in ordered}
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):
        return [canonical(item, top=False) for item in obj]
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"cannot render a {type(obj).__name__}")


def to_yaml(obj: Any) -> str:
    """One YAML document (no `---`), ending in a newline."""
    out = io.StringIO()
    _yaml().dump(canonical(obj), out)
    text = out.getvalue()
    if text.endswith("\n...\n"):  # ruamel closes a lone top-level scalar with an explicit end marker
        text = text[: -len("...\n")]
    return text


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """Sorted keys, ASCII-safe escapes; with an indent, ends in a newline."""
    text = json.dumps(obj, sort_keys=True, indent=indent, ensure_ascii=True, allow_nan=False)
    return text + "\n" if indent is not None else text
