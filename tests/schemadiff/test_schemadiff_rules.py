"""Every rule of SCHEMA-RULES.md, for inputs and outputs, at the top level, in a struct and in list items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from compiler.diagnostics import Severity
from compiler.model import SchemaField
from compiler.schemadiff import RULES, RULES_BY_ID, Finding, diff_schemas

I, W, E = Severity.INFO, Severity.WARNING, Severity.ERROR

#: SCHEMA-RULES.md's table, copied on purpose: the contract the rule table must follow (None: decided per change).
CONTRACT: dict[str, tuple[Severity | None, Severity | None, Severity | None]] = {
    "FIELD_ADDED_OPTIONAL": (I, I, I),
    "FIELD_ADDED_REQUIRED": (E, I, I),
    "FIELD_REMOVED": (I, E, W),
    "FIELD_RENAME_CANDIDATE": (I, I, I),
    "FIELD_NAME_REUSED": (E, E, E),
    "TYPE_WIDENED": (I, E, None),
    "TYPE_WIDENED_LOSSY": (W, E, E),
    "TYPE_NARROWED": (E, I, I),
    "TYPE_CHANGED": (E, E, E),
    "NULLABILITY_RELAXED": (I, E, W),
    "NULLABILITY_TIGHTENED": (E, I, I),
    "TENSOR_RANK_CHANGED": (E, E, E),
    "TENSOR_DIM_RELAXED": (I, E, W),
    "TENSOR_DIM_CONSTRAINED": (E, I, I),
    "TENSOR_DIM_SIZE_CHANGED": (E, E, E),
    "TENSOR_RESHAPED_SAME_NUMEL": (E, E, E),
    "DECIMAL_SCALE_CHANGED": (None, None, E),
    "METADATA_CHANGED": (I, I, I),
}


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    old: list[dict[str, Any]]  # fields named by the case; the test adds an unchanged sibling
    new: list[dict[str, Any]]
    input: Severity
    output: Severity
    log: Severity
    at: str = "x"  # the path of the rule's finding, relative to the context
    also: tuple[str, ...] = ()  # the other rules the change must give, and nothing else
    earlier: list[dict[str, Any]] = field(default_factory=list)  # fields of a version older than `old`


def x(type_: str, **kw: Any) -> dict[str, Any]:
    return {"name": "x", "type": type_, **kw}


def dec(p: int, s: int) -> dict[str, Any]:
    return x("decimal", precision=p, scale=s)


CASES = [
    Case("added-optional", "FIELD_ADDED_OPTIONAL", [], [x("int32", nullable=True)], I, I, I),
    Case("added-required", "FIELD_ADDED_REQUIRED", [], [x("int32")], E, I, I),
    Case("added-required-tensor", "FIELD_ADDED_REQUIRED", [], [x("float32", shape=[-1, 18])], E, I, I),
    Case("removed", "FIELD_REMOVED", [x("int32")], [], I, E, W),
    Case("removed-struct", "FIELD_REMOVED", [x("struct", fields=[{"name": "a", "type": "int8"}])], [], I, E, W),
    Case(
        "rename-candidate", "FIELD_RENAME_CANDIDATE",
        [{"name": "a", "type": "float32"}], [{"name": "b", "type": "float32"}], I, I, I,
        at="b", also=("FIELD_REMOVED", "FIELD_ADDED_REQUIRED"),
    ),
    Case(
        "no-rename-candidate-across-types", "FIELD_REMOVED",
        [{"name": "a", "type": "float32"}], [{"name": "b", "type": "float64"}], I, E, W,
        at="a", also=("FIELD_ADDED_REQUIRED",),
    ),
    Case(
        "name-reused", "FIELD_NAME_REUSED", [], [x("string", nullable=True)], E, E, E,
        also=("FIELD_ADDED_OPTIONAL",), earlier=[x("int32")],
    ),
    Case("widened-int-long", "TYPE_WIDENED", [x("int32")], [x("int64")], I, E, I),
    Case("widened-small-int", "TYPE_WIDENED", [x("int8")], [x("int32")], I, E, I),
    Case("widened-uint-to-int", "TYPE_WIDENED", [x("uint16")], [x("int32")], I, E, I),
    Case("widened-float-double", "TYPE_WIDENED", [x("float32")], [x("float64")], I, E, I),
    Case("widened-half", "TYPE_WIDENED", [x("float16")], [x("float32")], I, E, I),
    Case("widened-decimal-precision", "TYPE_WIDENED", [dec(10, 2)], [dec(12, 2)], I, E, I),
    Case("widened-date-timestamp", "TYPE_WIDENED", [x("date")], [x("timestamp", unit="us")], I, E, I),
    Case("widened-int-float-not-promotion", "TYPE_WIDENED", [x("int16")], [x("float32")], I, E, E),
    Case("widened-int-double-not-promotion", "TYPE_WIDENED", [x("int32")], [x("float64")], I, E, E),
    Case("widened-string-binary", "TYPE_WIDENED", [x("string")], [x("binary")], I, E, E),
    Case("widened-uint64", "TYPE_WIDENED", [x("uint32")], [x("uint64")], I, E, E),
    Case("widened-tensor", "TYPE_WIDENED", [x("float32", shape=[-1, 18])], [x("float64", shape=[-1, 18])], I, E, I),
    Case("lossy-int32-float32", "TYPE_WIDENED_LOSSY", [x("int32")], [x("float32")], W, E, E),
    Case("lossy-int64-float64", "TYPE_WIDENED_LOSSY", [x("int64")], [x("float64")], W, E, E),
    Case("narrowed-int", "TYPE_NARROWED", [x("int64")], [x("int32")], E, I, I),
    Case("narrowed-binary-string", "TYPE_NARROWED", [x("binary")], [x("string")], E, I, I),
    Case("narrowed-decimal", "TYPE_NARROWED", [dec(12, 2)], [dec(10, 2)], E, I, I),
    Case("narrowed-timestamp-date", "TYPE_NARROWED", [x("timestamp")], [x("date")], E, I, I),
    Case("changed-kind", "TYPE_CHANGED", [x("int32")], [x("string")], E, E, E),
    Case("changed-signedness", "TYPE_CHANGED", [x("int32")], [x("uint32")], E, E, E),
    Case("changed-float-to-int", "TYPE_CHANGED", [x("float32")], [x("int32")], E, E, E),
    Case("changed-timestamp-unit", "TYPE_CHANGED", [x("timestamp", unit="ms")], [x("timestamp", unit="us")], E, E, E),
    Case("changed-timestamp-tz", "TYPE_CHANGED", [x("timestamp")], [x("timestamp", tz="UTC")], E, E, E),
    Case("changed-date-tz-timestamp", "TYPE_CHANGED", [x("date")], [x("timestamp", tz="UTC")], E, E, E),
    Case("changed-bool", "TYPE_CHANGED", [x("bool")], [x("int8")], E, E, E),
    Case(
        "changed-list-struct", "TYPE_CHANGED",
        [x("list", items={"type": "int32"})], [x("struct", fields=[{"name": "a", "type": "int32"}])], E, E, E,
    ),
    Case("relaxed", "NULLABILITY_RELAXED", [x("int32")], [x("int32", nullable=True)], I, E, W),
    Case("tightened", "NULLABILITY_TIGHTENED", [x("int32", nullable=True)], [x("int32")], E, I, I),
    Case(
        "widened-and-relaxed", "TYPE_WIDENED", [x("int32")], [x("int64", nullable=True)], I, E, I,
        also=("NULLABILITY_RELAXED",),
    ),
    Case("rank", "TENSOR_RANK_CHANGED", [x("float32", shape=[3])], [x("float32", shape=[3, -1])], E, E, E),
    Case("rank-scalar-tensor", "TENSOR_RANK_CHANGED", [x("float32")], [x("float32", shape=[4])], E, E, E),
    Case("dim-relaxed", "TENSOR_DIM_RELAXED", [x("float32", shape=[18])], [x("float32", shape=[-1])], I, E, W),
    Case(
        "dim-relaxed-batch", "TENSOR_DIM_RELAXED",
        [x("float32", shape=[1, 18])], [x("float32", shape=[-1, 18])], I, E, W,
    ),
    Case(
        "dim-constrained", "TENSOR_DIM_CONSTRAINED",
        [x("float32", shape=[-1, 18])], [x("float32", shape=[8, 18])], E, I, I,
    ),
    Case(
        "dim-size", "TENSOR_DIM_SIZE_CHANGED", [x("float32", shape=[-1, 18])], [x("float32", shape=[-1, 20])], E, E, E,
    ),
    Case(
        "dim-relaxed-and-constrained", "TENSOR_DIM_RELAXED",
        [x("float32", shape=[-1, 18])], [x("float32", shape=[4, -1])], I, E, W, also=("TENSOR_DIM_CONSTRAINED",),
    ),
    Case(
        "reshaped", "TENSOR_RESHAPED_SAME_NUMEL", [x("float32", shape=[2, 6])], [x("float32", shape=[3, 4])], E, E, E,
    ),
    Case(
        "reshaped-rank", "TENSOR_RESHAPED_SAME_NUMEL", [x("float32", shape=[12])], [x("float32", shape=[3, 4])], E, E, E,
    ),
    Case("decimal-scale-wider", "DECIMAL_SCALE_CHANGED", [dec(10, 2)], [dec(12, 4)], I, E, E),
    Case("decimal-scale-narrower", "DECIMAL_SCALE_CHANGED", [dec(12, 4)], [dec(10, 2)], E, I, E),
    Case("decimal-scale-incomparable", "DECIMAL_SCALE_CHANGED", [dec(10, 4)], [dec(10, 2)], E, E, E),
    Case("metadata", "METADATA_CHANGED", [x("int32", description="a")], [x("int32", description="b")], I, I, I),
    Case(
        "list-items-widened", "TYPE_WIDENED",
        [x("list", items={"type": "float32"})], [x("list", items={"type": "float64"})], I, E, I, at="x[]",
    ),
    Case(
        "list-items-relaxed", "NULLABILITY_RELAXED",
        [x("list", items={"type": "int32"})], [x("list", items={"type": "int32", "nullable": True})], I, E, W,
        at="x[]",
    ),
    Case(
        "list-items-tensor", "TENSOR_DIM_RELAXED",
        [x("list", items={"type": "float32", "shape": [4]})], [x("list", items={"type": "float32", "shape": [-1]})],
        I, E, W, at="x[]",
    ),
    Case(
        "nested-list-of-lists", "TYPE_NARROWED",
        [x("list", items={"type": "list", "items": {"type": "int64"}})],
        [x("list", items={"type": "list", "items": {"type": "int16"}})], E, I, I, at="x[][]",
    ),
    Case(
        "struct-field-added", "FIELD_ADDED_REQUIRED",
        [x("struct", fields=[{"name": "a", "type": "int32"}])],
        [x("struct", fields=[{"name": "a", "type": "int32"}, {"name": "b", "type": "string"}])], E, I, I, at="x.b",
    ),
]  # fmt: skip

# context name -> (wrap the case's fields, path prefix of the case's fields below `in.`/`out.`)
_KEEP = {"name": "keep", "type": "string"}


def _top(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*fields, _KEEP]


def _in_struct(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": "s", "type": "struct", "fields": [*fields, _KEEP]}]


def _in_list(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": "detections", "type": "list", "items": {"type": "struct", "fields": [*fields, _KEEP]}}]


CONTEXTS = {"top": (_top, ""), "struct": (_in_struct, "s."), "list": (_in_list, "detections[].")}


def fields(raw: list[dict[str, Any]]) -> list[SchemaField]:
    return [SchemaField.model_validate(f) for f in raw]


def run(case: Case, role: str, context: str) -> tuple[list[Finding], str]:
    wrap, prefix = CONTEXTS[context]
    old, new, earlier = fields(wrap(case.old)), fields(wrap(case.new)), fields(wrap(case.earlier))
    path = f"{'in' if role == 'input' else 'out'}.{prefix}{case.at}"
    history = [((earlier, []) if role == "input" else ([], earlier))] if case.earlier else []
    if role == "input":
        return diff_schemas(old, [], new, [], earlier=history), path
    return diff_schemas([], old, [], new, earlier=history), path


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("role", ["input", "output"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case, role: str, context: str) -> None:
    findings, path = run(case, role, context)
    assert sorted(f.rule for f in findings) == sorted((case.rule, *case.also)), findings
    [hit] = [f for f in findings if f.rule == case.rule]
    assert hit.path == path
    assert hit.role == role
    assert hit.clients is (case.input if role == "input" else case.output)
    assert hit.log is case.log
    assert hit.message.startswith(f"{path}: ")


def test_every_rule_has_a_case() -> None:
    covered = {c.rule for c in CASES} | {r for c in CASES for r in c.also}
    assert covered == set(RULES_BY_ID)


def test_rule_table_matches_the_contract() -> None:
    assert [r.id for r in RULES] == list(CONTRACT)
    for rule in RULES:
        assert (rule.input, rule.output, rule.log) == CONTRACT[rule.id], rule.id


def test_open_verdicts_are_decided_by_cases() -> None:
    """Where the table says "by type order" or "info if legal", the cases above cover both outcomes."""
    widened_logs = {c.log for c in CASES if c.rule == "TYPE_WIDENED"}
    assert widened_logs == {I, E}
    scale = {(c.input, c.output) for c in CASES if c.rule == "DECIMAL_SCALE_CHANGED"}
    assert scale == {(I, E), (E, I), (E, E)}
