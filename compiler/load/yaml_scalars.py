"""YAML 1.2 core-schema values of scalars, and the tags a spec file may carry.

Only the core schema (YAML 1.2.2, section 10.3): `null`/`~`/empty, `true`/`false` in three spellings, decimal,
`0o` and `0x` integers, floats with `.inf`/`.nan`. Everything else is a string, so `yes`, `=`, `<<` (as a value),
`1_000` and `2024-01-01` stay text, as a YAML 1.2 reader must read them.
"""

from __future__ import annotations

import math
import re
from typing import Any

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + name for name in ("str", "int", "float", "bool", "null"))
MAP, SEQ = TAG + "map", TAG + "seq"
#: explicit tags a scalar may carry; `!` is YAML's non-specific tag (a string).
SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, "!"})
COLLECTION_TAGS = {"map": frozenset({MAP, "!"}), "seq": frozenset({SEQ, "!"})}

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL = {
    **{sign + inf: -math.inf if sign == "-" else math.inf
       for inf in (".inf", ".Inf", ".INF") for sign in ("", "+", "-")},
    **{nan: math.nan for nan in (".nan", ".NaN", ".NAN")},
}
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")  # first characters of every non-string core value


class ScalarError(ValueError):
    """A scalar whose explicit tag it does not match (`!!int abc`)."""


class NumberTooLong(ValueError):
    """A decimal integer longer than Python converts (4,300 digits); no spec value comes near it."""


def plain_value(text: str) -> Any:
    """The core-schema value of an untagged plain scalar."""
    if text and text[0] not in _MAYBE_TYPED:
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return _int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _SPECIAL.get(text, text)


def tagged_value(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit core tag; ScalarError when the text is not of that type."""
    if tag in (STR, "!"):
        return text
    value = plain_value(text)
    wanted = {NULL: type(None), BOOL: bool, INT: int, FLOAT: float}[tag]
    if tag == FLOAT and type(value) is int:
        return float(value)
    if type(value) is not wanted:
        raise ScalarError(f"{text!r} is not a valid !!{tag.removeprefix(TAG)}")
    return value


def key_identity(tag: str, value: Any) -> tuple[str, Any]:
    """What makes two keys the same YAML value: `1`, `01` and `0x1` are one key; `~` and `null` are one key."""
    if isinstance(value, float) and math.isnan(value):
        return tag, "nan"
    return tag, value


def tag_of(value: Any) -> str:
    if value is None:
        return NULL
    return {bool: BOOL, int: INT, float: FLOAT}.get(type(value), STR)


def _int(text: str) -> int:
    if text.startswith("0x"):
        return int(text[2:], 16)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if len(text.lstrip("+-")) > 4300:  # Python refuses longer decimal strings; the schema bounds numbers anyway
        raise NumberTooLong(f"an integer of {len(text):,} digits")
    return int(text, 10)
