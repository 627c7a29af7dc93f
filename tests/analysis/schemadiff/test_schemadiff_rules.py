"""Every rule of SCHEMA-RULES.md, for inputs and outputs, at the top level, in a struct and in list items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from compiler.analysis.schemadiff import RULES, RULES_BY_ID, Finding, diff_schemas
from compiler.diagnostics import Severity
from compiler.spec.model import SchemaField

INF, WRN, ERR = Severity.INFO, Severity.WARNING, Severity.ERROR

#: SCHEMA-RULES.md's table, copied on purpose: the contract the rule table must follow (None: decided per change).
CONTRACT: dict[str, tuple[Severity | None, Severity | None, Severity | None]] = {
    "FIELD_ADDED_OPTIONAL": (INF, INF, INF),
    "FIELD_ADDED_REQUIRED": (ERR, INF, INF),
    "FIELD_REMOVED": (INF, ERR, WRN),
    "FIELD_RENAME_CANDIDATE": (INF, INF, INF),
    "FIELD_NAME_REUSED": (ERR, ERR, ERR),
    "TYPE_WIDENED": (INF, ERR, None),
    "TYPE_WIDENED_LOSSY": (WRN, ERR, ERR),
    "TYPE_NARROWED": (ERR, INF, INF),
    "TYPE_CHANGED": (ERR, ERR, None),  # the log table format decides (log_tables.py)
    "NULLABILITY_RELAXED": (INF, ERR, WRN),
    "NULLABILITY_TIGHTENED": (ERR, INF, INF),
    "TENSOR_RANK_CHANGED": (ERR, ERR, ERR),
    "TENSOR_DIM_RELAXED": (INF, ERR, WRN),
    "TENSOR_DIM_CONSTRAINED": (ERR, INF, INF),
    "TENSOR_DIM_SIZE_CHANGED": (ERR, ERR, ERR),
    "TENSOR_RESHAPED_SAME_NUMEL": (ERR, ERR, ERR),
    "DECIMAL_SCALE_CHANGED": (None, None, None),
    "METADATA_CHANGED": (INF, INF, INF),
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


def ts(*shape: int) -> dict[str, Any]:
    """A float32 tensor."""
    return x("float32", shape=list(shape))


def dec(p: int, s: int) -> dict[str, Any]:
    return x("decimal", precision=p, scale=s)


CASES = [
    Case("added-optional", "FIELD_ADDED_OPTIONAL", [], [x("int32", nullable=True)], INF, INF, INF),
    Case("added-required", "FIELD_ADDED_REQUIRED", [], [x("int32")], ERR, INF, INF),
    Case("added-required-tensor", "FIELD_ADDED_REQUIRED", [], [ts(-1, 18)], ERR, INF, INF),
    Case("removed", "FIELD_REMOVED", [x("int32")], [], INF, ERR, WRN),
    Case("removed-struct", "FIELD_REMOVED", [x("struct", fields=[{"name": "a", "type": "int8"}])], [], INF, ERR, WRN),
    Case(
        "rename-candidate", "FIELD_RENAME_CANDIDATE",
        [{"name": "a", "type": "float32"}], [{"name": "b", "type": "float32"}], INF, INF, INF,
        at="b", also=("FIELD_REMOVED", "FIELD_ADDED_REQUIRED"),
    ),
    Case(
        "no-rename-candidate-across-types", "FIELD_REMOVED",
        [{"name": "a", "type": "float32"}], [{"name": "b", "type": "float64"}], INF, ERR, WRN,
        at="a", also=("FIELD_ADDED_REQUIRED",),
    ),
    Case(
        "name-reused", "FIELD_NAME_REUSED", [], [x("string", nullable=True)], ERR, ERR, ERR,
        also=("FIELD_ADDED_OPTIONAL",), earlier=[x("int32")],
    ),
    Case("widened-int-long", "TYPE_WIDENED", [x("int32")], [x("int64")], INF, ERR, INF),
    Case("widened-small-int", "TYPE_WIDENED", [x("int8")], [x("int32")], INF, ERR, INF),
    Case("widened-uint-to-int", "TYPE_WIDENED", [x("uint16")], [x("int32")], INF, ERR, INF),
    Case("widened-float-double", "TYPE_WIDENED", [x("float32")], [x("float64")], INF, ERR, INF),
    Case("widened-half", "TYPE_WIDENED", [x("float16")], [x("float32")], INF, ERR, INF),
    Case("widened-decimal-precision", "TYPE_WIDENED", [dec(10, 2)], [dec(12, 2)], INF, ERR, INF),
    # iceberg-v2 (the default log format) promotes date -> timestamp only from format v3
    Case("widened-date-timestamp", "TYPE_WIDENED", [x("date")], [x("timestamp", unit="us")], INF, ERR, ERR),
    Case("widened-int-float-not-promotion", "TYPE_WIDENED", [x("int16")], [x("float32")], INF, ERR, ERR),
    Case("widened-int-double-not-promotion", "TYPE_WIDENED", [x("int32")], [x("float64")], INF, ERR, ERR),
    Case("widened-string-binary", "TYPE_WIDENED", [x("string")], [x("binary")], INF, ERR, ERR),
    Case("widened-uint64", "TYPE_WIDENED", [x("uint32")], [x("uint64")], INF, ERR, ERR),
    Case(
        "widened-tensor", "TYPE_WIDENED", [ts(-1, 18)], [x("float64", shape=[-1, 18])], INF, ERR, INF,
    ),
    Case("lossy-int32-float32", "TYPE_WIDENED_LOSSY", [x("int32")], [x("float32")], WRN, ERR, ERR),
    Case("lossy-int64-float64", "TYPE_WIDENED_LOSSY", [x("int64")], [x("float64")], WRN, ERR, ERR),
    Case("narrowed-int", "TYPE_NARROWED", [x("int64")], [x("int32")], ERR, INF, INF),
    Case("narrowed-binary-string", "TYPE_NARROWED", [x("binary")], [x("string")], ERR, INF, INF),
    Case("narrowed-decimal", "TYPE_NARROWED", [dec(12, 2)], [dec(10, 2)], ERR, INF, INF),
    Case("narrowed-timestamp-date", "TYPE_NARROWED", [x("timestamp")], [x("date")], ERR, INF, INF),
    Case("changed-kind", "TYPE_CHANGED", [x("int32")], [x("string")], ERR, ERR, ERR),
    # an Iceberg log column of int promotes to long, which holds every uint32
    Case("changed-signedness", "TYPE_CHANGED", [x("int32")], [x("uint32")], ERR, ERR, INF),
    Case("changed-float-to-int", "TYPE_CHANGED", [x("float32")], [x("int32")], ERR, ERR, ERR),
    Case(
        "changed-timestamp-unit", "TYPE_CHANGED",
        [x("timestamp", unit="ms")], [x("timestamp", unit="us")], ERR, ERR, ERR,
    ),
    Case("changed-timestamp-tz", "TYPE_CHANGED", [x("timestamp")], [x("timestamp", tz="UTC")], ERR, ERR, ERR),
    Case("changed-date-tz-timestamp", "TYPE_CHANGED", [x("date")], [x("timestamp", tz="UTC")], ERR, ERR, ERR),
    Case("changed-bool", "TYPE_CHANGED", [x("bool")], [x("int8")], ERR, ERR, ERR),
    Case(
        "changed-list-struct", "TYPE_CHANGED",
        [x("list", items={"type": "int32"})], [x("struct", fields=[{"name": "a", "type": "int32"}])], ERR, ERR, ERR,
    ),
    Case("relaxed", "NULLABILITY_RELAXED", [x("int32")], [x("int32", nullable=True)], INF, ERR, WRN),
    Case("tightened", "NULLABILITY_TIGHTENED", [x("int32", nullable=True)], [x("int32")], ERR, INF, INF),
    Case(
        "widened-and-relaxed", "TYPE_WIDENED", [x("int32")], [x("int64", nullable=True)], INF, ERR, INF,
        also=("NULLABILITY_RELAXED",),
    ),
    Case("rank", "TENSOR_RANK_CHANGED", [ts(3)], [ts(3, -1)], ERR, ERR, ERR),
    Case("rank-scalar-tensor", "TENSOR_RANK_CHANGED", [x("float32")], [ts(4)], ERR, ERR, ERR),
    Case("dim-relaxed", "TENSOR_DIM_RELAXED", [ts(18)], [ts(-1)], INF, ERR, WRN),
    Case(
        "dim-relaxed-batch", "TENSOR_DIM_RELAXED",
        [ts(1, 18)], [ts(-1, 18)], INF, ERR, WRN,
    ),
    Case(
        "dim-constrained", "TENSOR_DIM_CONSTRAINED",
        [ts(-1, 18)], [ts(8, 18)], ERR, INF, INF,
    ),
    Case(
        "dim-size", "TENSOR_DIM_SIZE_CHANGED", [ts(-1, 18)], [ts(-1, 20)], ERR, ERR, ERR,
    ),
    Case(
        "dim-relaxed-and-constrained", "TENSOR_DIM_RELAXED",
        [ts(-1, 18)], [ts(4, -1)], INF, ERR, WRN, also=("TENSOR_DIM_CONSTRAINED",),
    ),
    Case(
        "reshaped", "TENSOR_RESHAPED_SAME_NUMEL", [ts(2, 6)], [ts(3, 4)], ERR, ERR, ERR,
    ),
    Case(
        "reshaped-rank", "TENSOR_RESHAPED_SAME_NUMEL", [ts(12)], [ts(3, 4)], ERR, ERR, ERR,
    ),
    # a dynamic batch dimension kept in place: the elements per item decide, as for fixed shapes
    Case("reshaped-dynamic-batch", "TENSOR_RESHAPED_SAME_NUMEL", [ts(-1, 2, 6)], [ts(-1, 3, 4)], ERR, ERR, ERR),
    Case("reshaped-dynamic-batch-rank", "TENSOR_RESHAPED_SAME_NUMEL", [ts(-1, 12)], [ts(-1, 3, 4)], ERR, ERR, ERR),
    Case("dynamic-batch-resized", "TENSOR_DIM_SIZE_CHANGED", [ts(-1, 2, 6)], [ts(-1, 2, 7)], ERR, ERR, ERR),
    Case("dynamic-batch-moved", "TENSOR_DIM_RELAXED", [ts(-1, 12)], [ts(12, -1)], INF, ERR, WRN,
         also=("TENSOR_DIM_CONSTRAINED",)),
    Case("dynamic-batch-other-numel-rank", "TENSOR_RANK_CHANGED", [ts(-1, 12)], [ts(-1, 3, 5)], ERR, ERR, ERR),
    # zero-size dimensions, in every direction: an empty tensor is resized, never reshaped
    Case("zero-to-size", "TENSOR_DIM_SIZE_CHANGED", [ts(0)], [ts(3)], ERR, ERR, ERR),
    Case("size-to-zero", "TENSOR_DIM_SIZE_CHANGED", [ts(3)], [ts(0)], ERR, ERR, ERR),
    Case("zero-swapped", "TENSOR_DIM_SIZE_CHANGED", [ts(0, 4)], [ts(4, 0)], ERR, ERR, ERR),
    Case("zero-other-dim-resized", "TENSOR_DIM_SIZE_CHANGED", [ts(0, 5)], [ts(0, 7)], ERR, ERR, ERR),
    Case("zero-relaxed", "TENSOR_DIM_RELAXED", [ts(0)], [ts(-1)], INF, ERR, WRN),
    Case("zero-constrained", "TENSOR_DIM_CONSTRAINED", [ts(-1)], [ts(0)], ERR, INF, INF),
    Case("zero-rank", "TENSOR_RANK_CHANGED", [ts(0)], [ts(0, 1)], ERR, ERR, ERR),
    Case("zero-batch-reshaped", "TENSOR_DIM_SIZE_CHANGED", [ts(-1, 0, 6)], [ts(-1, 6, 0)], ERR, ERR, ERR),
    Case("decimal-scale-wider", "DECIMAL_SCALE_CHANGED", [dec(10, 2)], [dec(12, 4)], INF, ERR, ERR),
    Case("decimal-scale-narrower", "DECIMAL_SCALE_CHANGED", [dec(12, 4)], [dec(10, 2)], ERR, INF, ERR),
    Case("decimal-scale-incomparable", "DECIMAL_SCALE_CHANGED", [dec(10, 4)], [dec(10, 2)], ERR, ERR, ERR),
    Case("metadata", "METADATA_CHANGED", [x("int32", description="a")], [x("int32", description="b")], INF, INF, INF),
    Case(
        "list-items-widened", "TYPE_WIDENED",
        [x("list", items={"type": "float32"})], [x("list", items={"type": "float64"})], INF, ERR, INF, at="x[]",
    ),
    Case(
        "list-items-relaxed", "NULLABILITY_RELAXED",
        [x("list", items={"type": "int32"})], [x("list", items={"type": "int32", "nullable": True})], INF, ERR, WRN,
        at="x[]",
    ),
    Case(
        "list-items-tensor", "TENSOR_DIM_RELAXED",
        [x("list", items={"type": "float32", "shape": [4]})], [x("list", items={"type": "float32", "shape": [-1]})],
        INF, ERR, WRN, at="x[]",
    ),
    Case(
        "nested-list-of-lists", "TYPE_NARROWED",
        [x("list", items={"type": "list", "items": {"type": "int64"}})],
        [x("list", items={"type": "list", "items": {"type": "int16"}})], ERR, INF, INF, at="x[][]",
    ),
    Case(
        "struct-field-added", "FIELD_ADDED_REQUIRED",
        [x("struct", fields=[{"name": "a", "type": "int32"}])],
        [x("struct", fields=[{"name": "a", "type": "int32"}, {"name": "b", "type": "string"}])],
        ERR, INF, INF, at="x.b",
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
    assert not hit.message.startswith(path)  # printers show the path once, in front of the message
    if case.rule == "TENSOR_RESHAPED_SAME_NUMEL" and -1 in case.old[0]["shape"]:
        assert "elements per item" in hit.message
    wrap, _ = CONTEXTS[context]
    for side, pointer in ((case.old, hit.old_pointer), (case.new, hit.new_pointer)):
        if pointer is None:
            continue
        node: Any = wrap(side)
        for step in pointer:
            node = node[step]
        assert node.get("name") == path.rsplit(".", 1)[-1] if not path.endswith("[]") else "name" not in node


def test_a_finding_points_at_both_fields_where_they_exist() -> None:
    old = fields([{"name": "a", "type": "int8"}, {"name": "s", "type": "struct", "fields": [
        {"name": "gone", "type": "int8"}, {"name": "x", "type": "int32"}]}])
    new = fields([{"name": "s", "type": "struct", "fields": [{"name": "x", "type": "int64"}]},
                  {"name": "a", "type": "int8"}])
    by_rule = {f.rule: (f.old_pointer, f.new_pointer) for f in diff_schemas(old, [], new, [])}
    assert by_rule["TYPE_WIDENED"] == ((1, "fields", 1), (0, "fields", 0))
    assert by_rule["FIELD_REMOVED"] == ((1, "fields", 0), None)


def test_every_rule_has_a_case() -> None:
    covered = {c.rule for c in CASES} | {r for c in CASES for r in c.also}
    assert covered == set(RULES_BY_ID)


def test_rule_table_matches_the_contract() -> None:
    assert [r.id for r in RULES] == list(CONTRACT)
    for rule in RULES:
        assert (rule.input, rule.output, rule.log) == CONTRACT[rule.id], rule.id


def test_open_verdicts_are_decided_by_cases() -> None:
    """Where the table says "by type order" or "info if legal", the cases above cover both outcomes."""
    for rule in ("TYPE_WIDENED", "TYPE_CHANGED"):
        assert {c.log for c in CASES if c.rule == rule} == {INF, ERR}, rule
    scale = {(c.input, c.output) for c in CASES if c.rule == "DECIMAL_SCALE_CHANGED"}
    assert scale == {(INF, ERR), (ERR, INF), (ERR, ERR)}


def test_zero_size_dimensions_hold_no_elements_and_are_not_dynamic() -> None:
    old = [SchemaField.model_validate({"name": "t", "type": "float32", "shape": [0, 3]})]
    new = [SchemaField.model_validate({"name": "t", "type": "float32", "shape": [0, 5]})]
    # both hold no element, but dimension 1 changes size: an empty tensor is resized, never reshaped
    assert [f.rule for f in diff_schemas(old, [], new, [])] == ["TENSOR_DIM_SIZE_CHANGED"]


def test_findings_carry_both_types_the_field_positions_and_whether_they_can_be_acknowledged() -> None:
    def seen(old_in: list[dict[str, Any]], new_in: list[dict[str, Any]], old_out: tuple[dict[str, Any], ...] = (),
             new_out: tuple[dict[str, Any], ...] = ()) -> list[tuple[Any, ...]]:
        return [(f.rule, f.path, f.old, f.new, f.acknowledgeable, f.old_pointer, f.new_pointer)
                for f in diff_schemas(fields(old_in), fields(list(old_out)), fields(new_in),
                                              fields(list(new_out)))]

    k = {"name": "k", "type": "int32"}
    # a rename candidate names the removed field's type on the old side, though the new field has no old side
    assert seen([{"name": "a", "type": "float32"}, k], [{"name": "b", "type": "float32"}, k]) == [
        ("FIELD_REMOVED", "in.a", "float32", None, False, (0,), None),  # info for clients, a warning for the log
        ("FIELD_ADDED_REQUIRED", "in.b", None, "float32", True, None, (0,)),
        ("FIELD_RENAME_CANDIDATE", "in.b", "float32", "float32", False, None, (0,))]
    assert seen([k], [k, {"name": "o", "type": "int8", "nullable": True}]) == [
        ("FIELD_ADDED_OPTIONAL", "in.o", None, "nullable int8", False, None, (1,))]
    assert seen([], [], ({"name": "s", "type": "int32"},), ({"name": "s", "type": "int64"},)) == [
        ("TYPE_WIDENED", "out.s", "int32", "int64", True, (0,), (0,))]
