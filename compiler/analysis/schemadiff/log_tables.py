"""The inference-log table's own promotion rules, one table per format (config `logFormat`).

A log column holds the rows of every publish a pipeline served, so its type may only change by a promotion the
table format performs in place. Each format's table is taken from its specification:

- `iceberg-v2`: Apache Iceberg table spec, section "Schema Evolution" (valid type promotions for format v1 and
  v2): `int -> long`, `float -> double`, `decimal(P, S) -> decimal(P', S)` with `P' > P`; section "Primitive
  Types": decimal precision is at most 38.
- `iceberg-v3`: the same section's v3 column adds `date -> timestamp` and `date -> timestamp_ns` (never to
  `timestamptz` / `timestamptz_ns`).
- `delta`: Delta Lake protocol (PROTOCOL.md), section "Type Widening", "The supported type changes":
  `byte -> short -> int -> long`, `float -> double`, `byte|short|int -> double`, `date -> timestamp without
  timezone`, `decimal(p, s) -> decimal(p + k1, s + k2)` with `k1 >= k2 >= 0`, `byte|short|int ->
  decimal(10 + k1, k2)` and `long -> decimal(20 + k1, k2)`; precision at most 38 (the protocol's decimal).

edgec's data types map to a column type first (uint32 has no 32-bit unsigned column, so it is a `long`); a
change that keeps the column type leaves the column as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler.spec.model import DataType, FieldType, LogFormat

D = DataType

#: The largest decimal precision of every supported format (Iceberg "Primitive Types"; Delta's decimal).
MAX_DECIMAL_PRECISION = 38


@dataclass(frozen=True)
class Column:
    """A log column type: a name, with precision and scale for decimals."""

    name: str
    precision: int | None = None
    scale: int | None = None

    def __str__(self) -> str:
        return f"decimal({self.precision},{self.scale})" if self.name == "decimal" else self.name


_ICEBERG_PRIMITIVES: dict[DataType, str] = {
    D.BOOL: "boolean",
    D.INT8: "int", D.INT16: "int", D.UINT8: "int", D.UINT16: "int", D.INT32: "int",
    D.UINT32: "long", D.INT64: "long",
    D.FLOAT16: "float", D.FLOAT32: "float", D.FLOAT64: "double",
    D.STRING: "string", D.BINARY: "binary", D.DATE: "date",
}  # fmt: skip

_DELTA_PRIMITIVES: dict[DataType, str] = {
    D.BOOL: "boolean",
    D.INT8: "byte", D.INT16: "short", D.UINT8: "short", D.INT32: "int", D.UINT16: "int",
    D.UINT32: "long", D.INT64: "long",
    D.FLOAT16: "float", D.FLOAT32: "float", D.FLOAT64: "double",
    D.STRING: "string", D.BINARY: "binary", D.DATE: "date",
}  # fmt: skip


def _decimal(t: FieldType) -> Column:
    assert t.precision is not None and t.scale is not None
    return Column("decimal", t.precision, t.scale)


def iceberg_column(t: FieldType) -> Column | None:
    """The Iceberg column type of a (non-container) field type."""
    if t.type is D.DECIMAL:
        return _decimal(t)
    if t.type is D.UINT64:
        return Column("decimal", 20, 0)
    if t.type is D.TIMESTAMP:
        base = "timestamptz" if t.tz else "timestamp"
        return Column(f"{base}_ns" if t.unit == "ns" else base)
    name = _ICEBERG_PRIMITIVES.get(t.type)
    return Column(name) if name else None


def delta_column(t: FieldType) -> Column | None:
    """The Delta column type of a (non-container) field type."""
    if t.type is D.DECIMAL:
        return _decimal(t)
    if t.type is D.UINT64:
        return Column("decimal", 20, 0)
    if t.type is D.TIMESTAMP:
        return Column("timestamp" if t.tz else "timestamp_ntz")
    name = _DELTA_PRIMITIVES.get(t.type)
    return Column(name) if name else None


def _precision_grows(old: Column, new: Column) -> bool:
    """Iceberg: `decimal(P, S) -> decimal(P', S)`, `P' > P`, at most 38."""
    if new.name != "decimal":
        return False
    assert old.precision is not None and new.precision is not None
    return old.scale == new.scale and old.precision < new.precision <= MAX_DECIMAL_PRECISION


_ICEBERG_V2 = frozenset({("int", "long"), ("float", "double")})
_ICEBERG_V3 = _ICEBERG_V2 | {("date", "timestamp"), ("date", "timestamp_ns")}


def _iceberg(promotions: frozenset[tuple[str, str]]) -> Callable[[Column, Column], bool]:
    def promotes(old: Column, new: Column) -> bool:
        if old.name == "decimal":
            return _precision_grows(old, new)
        return (old.name, new.name) in promotions

    return promotes


#: Delta integer widths in order, and the decimal precision that holds each (`Byte|Short|Int -> Decimal(10 +
#: k1, k2)`, `Long -> Decimal(20 + k1, k2)`).
_DELTA_INTEGERS = ("byte", "short", "int", "long")
_DELTA_INTEGER_PRECISION = {"byte": 10, "short": 10, "int": 10, "long": 20}


def _delta_decimal(precision: int, scale: int, new: Column) -> bool:
    """`decimal(p, s) -> decimal(p + k1, s + k2)` with `k1 >= k2 >= 0`, at most 38."""
    if new.name != "decimal":
        return False
    assert new.precision is not None and new.scale is not None
    k1, k2 = new.precision - precision, new.scale - scale
    return k1 >= k2 >= 0 and new.precision <= MAX_DECIMAL_PRECISION


def _delta(old: Column, new: Column) -> bool:
    if old.name == "decimal":
        assert old.precision is not None and old.scale is not None
        return _delta_decimal(old.precision, old.scale, new)
    if old.name in _DELTA_INTEGERS:
        if new.name in _DELTA_INTEGERS:
            return _DELTA_INTEGERS.index(new.name) > _DELTA_INTEGERS.index(old.name)
        if new.name == "double":
            return old.name != "long"
        if new.name == "decimal":
            return _delta_decimal(_DELTA_INTEGER_PRECISION[old.name], 0, new)
        return False
    return (old.name, new.name) in {("float", "double"), ("date", "timestamp_ntz")}


@dataclass(frozen=True)
class LogTable:
    """One format's column types and promotions."""

    format: LogFormat
    column: Callable[[FieldType], Column | None]
    promotes_column: Callable[[Column, Column], bool]

    def promotes(self, old: FieldType, new: FieldType) -> bool:
        """Whether a log column of type `old` can take rows of type `new` in place (same column: yes)."""
        if old.type in (D.LIST, D.STRUCT) or new.type in (D.LIST, D.STRUCT):
            return old.type == new.type  # their contents are paired and judged one by one
        if old.type is D.TIMESTAMP and new.type is D.TIMESTAMP:
            return (old.unit, old.tz) == (new.unit, new.tz)  # SCHEMA-RULES: another unit or zone is another type
        a, b = self.column(old), self.column(new)
        if a is None or b is None:
            return False
        if a == b:
            return True  # the column stays as it is
        if b.name == "decimal" and (b.precision or 0) > MAX_DECIMAL_PRECISION:
            return False
        return self.promotes_column(a, b)

    def verdict_note(self, old: FieldType, new: FieldType) -> str:
        """What the format does with the column, for a finding whose log verdict the format decides."""
        a, b = self.column(old), self.column(new)
        change = f"{a} -> {b}" if a is not None and b is not None else "this way"
        if not self.promotes(old, new):
            return f"the inference-log table ({self.format}) cannot change its column {change}"
        if a == b:
            return f"its inference-log column ({self.format}) stays {a}"
        return f"the inference-log table ({self.format}) promotes its column {change}"


LOG_TABLES: dict[LogFormat, LogTable] = {
    LogFormat.ICEBERG_V2: LogTable(LogFormat.ICEBERG_V2, iceberg_column, _iceberg(_ICEBERG_V2)),
    LogFormat.ICEBERG_V3: LogTable(LogFormat.ICEBERG_V3, iceberg_column, _iceberg(_ICEBERG_V3)),
    LogFormat.DELTA: LogTable(LogFormat.DELTA, delta_column, _delta),
}
