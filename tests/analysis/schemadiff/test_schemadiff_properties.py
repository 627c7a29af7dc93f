"""Properties of the type order and of the diff, checked exhaustively on a finite universe and with hypothesis."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.analysis.schemadiff import Finding, Order, compare, diff_schemas, log_promotion_is_legal, widens
from compiler.spec.model import DataType, FieldType, LogFormat, SchemaField, TimeUnit

SCALARS = [t for t in DataType if t not in (DataType.LIST, DataType.STRUCT, DataType.DECIMAL, DataType.TIMESTAMP)]
UNITS: list[TimeUnit | None] = [None, "s", "ms", "us", "ns"]
WIDENING_RULES = {"TYPE_WIDENED", "TYPE_WIDENED_LOSSY"}


def _universe() -> list[FieldType]:
    types = [FieldType(type=t) for t in SCALARS]
    types += [FieldType(type=DataType.TIMESTAMP, unit=u, tz=z) for u in UNITS for z in (None, "UTC")]
    types += [FieldType(type=DataType.DECIMAL, precision=p, scale=s) for p in range(1, 7) for s in range(p + 1)]
    # where integers meet decimals (Delta) and the precision limit of 38 (every format)
    types += [FieldType(type=DataType.DECIMAL, precision=p, scale=s)
              for p, s in ((10, 0), (12, 2), (20, 0), (22, 2), (38, 2), (39, 2))]
    return types


UNIVERSE = _universe()

scalar_types = st.one_of(
    st.sampled_from(SCALARS).map(lambda t: FieldType(type=t)),
    st.builds(
        lambda u, z: FieldType(type=DataType.TIMESTAMP, unit=u, tz=z),
        st.sampled_from(UNITS),
        st.sampled_from([None, "UTC"]),
    ),
    st.integers(1, 38).flatmap(
        lambda p: st.integers(0, p).map(lambda s: FieldType(type=DataType.DECIMAL, precision=p, scale=s))
    ),
)


# --------------------------------------------------------------------------------------------------- type order
def test_widening_is_transitive_on_the_universe() -> None:
    for a, b, c in itertools.product(UNIVERSE, repeat=3):
        if widens(a, b) and widens(b, c):
            assert widens(a, c), (a, b, c)


def test_widening_is_antisymmetric_and_irreflexive_on_the_universe() -> None:
    for a, b in itertools.product(UNIVERSE, repeat=2):
        assert not (widens(a, b) and widens(b, a)), (a, b)
    assert not any(widens(a, a) for a in UNIVERSE)


@given(scalar_types, scalar_types, scalar_types)
def test_widening_is_transitive(a: FieldType, b: FieldType, c: FieldType) -> None:
    if widens(a, b) and widens(b, c):
        assert widens(a, c)


@given(scalar_types, scalar_types)
def test_order_is_antisymmetric_and_mirrored(a: FieldType, b: FieldType) -> None:
    assert not (widens(a, b) and widens(b, a))
    mirror = {Order.WIDER: Order.NARROWER, Order.NARROWER: Order.WIDER, Order.SAME: Order.SAME}
    if compare(a, b) in mirror:
        assert compare(b, a) is mirror[compare(a, b)]


@given(scalar_types, scalar_types)
def test_a_change_and_its_reverse_never_both_widen(a: FieldType, b: FieldType) -> None:
    def widening(old: FieldType, new: FieldType) -> bool:
        findings = diff_schemas([], [_named("x", old)], [], [_named("x", new)])
        return any(f.rule in WIDENING_RULES for f in findings) or any(
            f.rule == "DECIMAL_SCALE_CHANGED" and f.clients.value == "info" for f in findings
        )

    assert not (widening(a, b) and widening(b, a))


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_log_promotions_are_reflexive_and_transitive_on_the_universe(log_format: LogFormat) -> None:
    """A column promoted twice is a legal promotion too, so checking each publish against the last one suffices."""
    assert all(log_promotion_is_legal(a, a, log_format) for a in UNIVERSE)
    legal = {(i, j) for (i, a), (j, b) in itertools.product(enumerate(UNIVERSE), repeat=2)
             if log_promotion_is_legal(a, b, log_format)}
    for (i, j), (k, m) in itertools.product(legal, repeat=2):
        if j == k:
            assert (i, m) in legal, (UNIVERSE[i], UNIVERSE[j], UNIVERSE[m])


#: Types that share one column type per format: a change inside a group leaves the log column as it is.
_SAME_COLUMN: dict[LogFormat, list[set[DataType]]] = {
    LogFormat.ICEBERG_V2: [
        {DataType.INT8, DataType.INT16, DataType.INT32, DataType.UINT8, DataType.UINT16},
        {DataType.INT64, DataType.UINT32},
        {DataType.FLOAT16, DataType.FLOAT32},
        {DataType.UINT64, DataType.DECIMAL},  # uint64 is logged as decimal(20,0)
    ],
    LogFormat.DELTA: [
        {DataType.INT16, DataType.UINT8},
        {DataType.INT32, DataType.UINT16},
        {DataType.INT64, DataType.UINT32},
        {DataType.FLOAT16, DataType.FLOAT32},
        {DataType.UINT64, DataType.DECIMAL},
    ],
}
_SAME_COLUMN[LogFormat.ICEBERG_V3] = _SAME_COLUMN[LogFormat.ICEBERG_V2]


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_log_promotions_go_both_ways_only_within_one_column_type(log_format: LogFormat) -> None:
    for a, b in itertools.product(UNIVERSE, repeat=2):
        if a != b and log_promotion_is_legal(a, b, log_format) and log_promotion_is_legal(b, a, log_format):
            assert any({a.type, b.type} <= group for group in _SAME_COLUMN[log_format]), (a, b)


@pytest.mark.parametrize("log_format", list(LogFormat))
def test_a_log_promotion_never_narrows(log_format: LogFormat) -> None:
    """Every format's promotions keep every value: none is a narrowing of the type order."""
    for a, b in itertools.product(UNIVERSE, repeat=2):
        if log_promotion_is_legal(a, b, log_format) and not log_promotion_is_legal(b, a, log_format):
            assert compare(a, b) in (Order.WIDER, Order.INCOMPARABLE), (log_format, a, b)
            assert not widens(b, a), (log_format, a, b)


# --------------------------------------------------------------------------------------------------- schemas
NAMES = st.sampled_from(["a", "b", "c", "score", "tensor", "label"])


def _field_types(leaf: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    def extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        lists = st.builds(lambda i, n: {"type": "list", "items": i, "nullable": n}, children, st.booleans())
        structs = st.builds(
            lambda fs, n: {"type": "struct", "fields": fs, "nullable": n},
            st.lists(st.tuples(NAMES, children), min_size=1, max_size=3, unique_by=lambda p: p[0]).map(
                lambda ps: [{"name": name, **t} for name, t in ps]
            ),
            st.booleans(),
        )
        return lists | structs

    return st.recursive(leaf, extend, max_leaves=6)


leaf_types = st.one_of(
    st.builds(
        lambda t, n, shape, d: {"type": t, "nullable": n, "shape": shape, "description": d},
        st.sampled_from(SCALARS),
        st.booleans(),
        st.none() | st.lists(st.sampled_from([-1, 1, 2, 3, 4, 6, 12]), min_size=1, max_size=3),
        st.none() | st.sampled_from(["x", "y"]),
    ),
    st.builds(
        lambda p, n: {"type": "decimal", "precision": p, "scale": 2, "nullable": n}, st.integers(3, 12), st.booleans()
    ),
)

schemas = st.lists(st.tuples(NAMES, _field_types(leaf_types)), max_size=4, unique_by=lambda p: p[0]).map(
    lambda ps: [SchemaField.model_validate({"name": name, **t}) for name, t in ps]
)


def _named(name: str, t: FieldType) -> SchemaField:
    return SchemaField.model_validate({**t.model_dump(exclude_none=True), "name": name})


def _shuffled(fields: list[SchemaField], rng: random.Random) -> list[SchemaField]:
    """The same schema with the fields of every struct, at every depth, in another order."""

    def deep(t: Any) -> Any:
        update: dict[str, Any] = {}
        if t.fields:
            update["fields"] = _shuffled(list(t.fields), rng)
        if t.items is not None:
            update["items"] = deep(t.items)
        return t.model_copy(update=update)

    out = [deep(f) for f in fields]
    rng.shuffle(out)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas)
def test_a_schema_diffed_with_itself_gives_nothing(inputs: list[SchemaField], outputs: list[SchemaField]) -> None:
    assert diff_schemas(inputs, outputs, inputs, outputs) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas, schemas, schemas, st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_field_order(
    old_in: list[SchemaField],
    old_out: list[SchemaField],
    new_in: list[SchemaField],
    new_out: list[SchemaField],
    rng: random.Random,
) -> None:
    def unpointed(found: list[Finding]) -> list[Finding]:  # pointers name list positions, which do move
        return [replace(x, old_pointer=None, new_pointer=None) for x in found]

    expected = diff_schemas(old_in, old_out, new_in, new_out)
    shuffled = diff_schemas(*(_shuffled(s, rng) for s in (old_in, old_out, new_in, new_out)))
    assert unpointed(shuffled) == unpointed(expected)
    assert expected == sorted(expected, key=lambda f: (f.path, f.rule, f.role, f.message))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas)
def test_one_finding_per_rule_and_path(old: list[SchemaField], new: list[SchemaField]) -> None:
    findings = diff_schemas(old, old, new, new)
    keys = [(f.rule, f.path) for f in findings]
    assert len(keys) == len(set(keys))
    assert {f.path.split(".")[0] for f in findings} <= {"in", "out"}
    assert all((f.role == "input") == f.path.startswith("in.") for f in findings)


# --------------------------------------------------------------------------------------------------- the spec's order
_WIDER_THAN: dict[str, set[str]] = {
    "int8": {"int16", "int32", "int64", "float32", "float64"},
    "int16": {"int32", "int64", "float32", "float64"},
    "int32": {"int64", "float64"},
    "int64": set(),
    "uint8": {"uint16", "uint32", "uint64", "int16", "int32", "int64", "float32", "float64"},
    "uint16": {"uint32", "uint64", "int32", "int64", "float32", "float64"},
    "uint32": {"uint64", "int64", "float64"},
    "uint64": set(),
    "float16": {"float32", "float64"},
    "float32": {"float64"},
    "float64": set(),
    "string": {"binary"},
    "binary": set(),
    "bool": set(),
    "date": {"timestamp"},
}


def test_the_order_is_exactly_the_spec_bullets() -> None:
    """SCHEMA-RULES.md's list, written out: same width with other signedness and int32/int64 -> float stay out."""
    types = [FieldType(type=t) for t in [*SCALARS, DataType.TIMESTAMP]]
    actual = {(a.type.value, b.type.value) for a, b in itertools.product(types, repeat=2) if widens(a, b)}
    assert actual == {(a, b) for a, bs in _WIDER_THAN.items() for b in bs}


def test_lossy_widenings() -> None:
    lossy = {
        (a.value, b.value)
        for a, b in itertools.product(SCALARS, repeat=2)
        if compare(FieldType(type=a), FieldType(type=b)) is Order.LOSSY
    }
    assert {("int32", "float32"), ("int64", "float64")} <= lossy
    assert lossy <= {(i, fl) for i in ("int32", "uint32", "int64", "uint64") for fl in ("float32", "float64")}
