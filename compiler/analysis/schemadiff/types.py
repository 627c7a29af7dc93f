"""The type order of SCHEMA-RULES.md: lossless widening and lossy widening; the log table's legal promotions are
each format's own (`log_tables`).

Only the *base* type is ordered here (data type plus decimal precision/scale and timestamp unit/zone).
Nullability, tensor shapes, list items and struct fields are compared by their own rules in `rules.py`.
"""

from __future__ import annotations

from enum import Enum
from functools import cache

from compiler.analysis.schemadiff.log_tables import LOG_TABLES
from compiler.spec.model import DataType, FieldType, LogFormat

D = DataType

#: Direct lossless widenings; the order is their transitive closure, so it is transitive by construction.
_DIRECT: tuple[tuple[DataType, DataType], ...] = (
    (D.INT8, D.INT16), (D.INT16, D.INT32), (D.INT32, D.INT64),
    (D.UINT8, D.UINT16), (D.UINT16, D.UINT32), (D.UINT32, D.UINT64),
    (D.UINT8, D.INT16), (D.UINT16, D.INT32), (D.UINT32, D.INT64),
    (D.FLOAT16, D.FLOAT32), (D.FLOAT32, D.FLOAT64),
    (D.INT8, D.FLOAT32), (D.UINT8, D.FLOAT32), (D.INT16, D.FLOAT32), (D.UINT16, D.FLOAT32),
    (D.INT32, D.FLOAT64), (D.UINT32, D.FLOAT64),
    (D.STRING, D.BINARY),
)  # fmt: skip

_INTEGERS = frozenset({D.INT8, D.INT16, D.INT32, D.INT64, D.UINT8, D.UINT16, D.UINT32, D.UINT64})
#: Integer -> float changes that keep the range but may round (int32 -> float32, int64 -> float64, ...).
_LOSSY_TARGETS = frozenset({D.FLOAT32, D.FLOAT64})

CONTAINERS = frozenset({D.LIST, D.STRUCT})


class Order(Enum):
    """How a new base type relates to the old one."""

    SAME = "same"
    WIDER = "wider"  # old < new, lossless
    LOSSY = "lossy"  # integer -> float: the range grows, precision may not
    NARROWER = "narrower"  # new < old
    INCOMPARABLE = "incomparable"


@cache
def _closure() -> frozenset[tuple[DataType, DataType]]:
    pairs = set(_DIRECT)
    while True:
        extra = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
        if not extra:
            return frozenset(pairs)
        pairs |= extra


def _base_key(t: FieldType) -> tuple[object, ...]:
    return (t.type, t.precision, t.scale, t.unit, t.tz)


def widens(old: FieldType, new: FieldType) -> bool:
    """True when old < new in the lossless order (strict: equal types do not widen)."""
    if _base_key(old) == _base_key(new):
        return False
    if old.type is D.DECIMAL and new.type is D.DECIMAL:
        assert old.precision is not None and old.scale is not None
        assert new.precision is not None and new.scale is not None
        return new.scale >= old.scale and new.precision - new.scale >= old.precision - old.scale
    if old.type is D.DATE and new.type is D.TIMESTAMP:
        return new.tz is None
    return (old.type, new.type) in _closure()


def widens_lossy(old: FieldType, new: FieldType) -> bool:
    """An integer -> float change that is not lossless (the rounding case)."""
    return old.type in _INTEGERS and new.type in _LOSSY_TARGETS and not widens(old, new)


def compare(old: FieldType, new: FieldType) -> Order:
    """Order of the base types. Two lists or two structs are SAME: their contents are paired separately."""
    if old.type in CONTAINERS or new.type in CONTAINERS:
        return Order.SAME if old.type == new.type else Order.INCOMPARABLE
    if _base_key(old) == _base_key(new):
        return Order.SAME
    if widens(old, new):
        return Order.WIDER
    if widens(new, old):
        return Order.NARROWER
    if widens_lossy(old, new):
        return Order.LOSSY
    return Order.INCOMPARABLE


def log_promotion_is_legal(old: FieldType, new: FieldType, log_format: LogFormat = LogFormat.ICEBERG_V2) -> bool:
    """Whether the log table (of `log_format`, see `log_tables`) can evolve a column from `old` to `new` in place."""
    return LOG_TABLES[log_format].promotes(old, new)


def format_type(t: FieldType) -> str:
    """Render a type as findings and log columns show it: `nullable float32[-1,18]`, `decimal(10,2)`."""
    if t.type is D.DECIMAL:
        base = f"decimal({t.precision},{t.scale})"
    elif t.type is D.TIMESTAMP and (t.unit or t.tz):
        parts: list[str] = [t.unit] if t.unit else []
        parts += [f"tz={t.tz}"] if t.tz else []
        base = f"timestamp({', '.join(parts)})"
    elif t.type is D.LIST:
        base = f"list<{format_type(t.items) if t.items else '?'}>"
    elif t.type is D.STRUCT:
        # by name: fields match by name, so their order is no part of the type
        fields = sorted(t.fields or (), key=lambda f: f.name)
        base = "struct<" + ", ".join(f"{f.name}: {format_type(f)}" for f in fields) + ">"
    else:
        base = str(t.type)
    if t.shape is not None:
        base += "[" + ",".join(str(d) for d in t.shape) + "]"
    return f"nullable {base}" if t.nullable else base
