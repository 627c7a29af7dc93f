"""What each rule says: the message a finding carries (the change, then what its verdicts mean) and the fix in
its hint, for inputs and outputs (SCHEMA-RULES.md). The verdicts themselves are test_schemadiff_rules.py's."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.analysis.schemadiff import History, diff_schemas
from compiler.spec.model import SchemaField


def x(type_: str, **kw: Any) -> dict[str, Any]:
    return {"name": "x", "type": type_, **kw}


def tensor(*shape: int) -> dict[str, Any]:
    return x("float32", shape=list(shape))


def dec(precision: int, scale: int) -> dict[str, Any]:
    return x("decimal", precision=precision, scale=scale)


def _findings(role: str, old: list[dict[str, Any]], new: list[dict[str, Any]],
              earlier: list[dict[str, Any]] | None = None) -> list[tuple[str, str, str | None]]:
    def fields(documents: list[dict[str, Any]]) -> list[SchemaField]:
        return [SchemaField.model_validate(d) for d in documents]

    if role == "in":
        args: tuple[Any, ...] = (fields(old), [], fields(new), [])
        history = [(fields(earlier), [])] if earlier is not None else []
    else:
        args = ([], fields(old), [], fields(new))
        history = [([], fields(earlier))] if earlier is not None else []
    return [(f.rule, f.message, f.fix) for f in diff_schemas(*args, earlier=History(history))]


CLIENTS_IN, CLIENTS_OUT = "existing clients' requests may fail", "clients reading it may break"
ICEBERG = "the inference-log table (iceberg-v2)"
KEEP_SHAPE = "keep the shape and reshape inside the model"
SCALE_FIX = "keep the scale; Iceberg log tables only let a decimal grow its precision"

CASES: list[tuple[str, str, list[dict[str, Any]], list[dict[str, Any]], str, str, str | None]] = [
    ("in", "added optional", [], [x("int32", nullable=True)], "FIELD_ADDED_OPTIONAL",
     "new optional field (nullable int32)", None),
    ("in", "added required", [], [x("int32")], "FIELD_ADDED_REQUIRED", f"new required field (int32); {CLIENTS_IN}",
     "make the new field nullable, or keep the old version for clients that do not send it"),
    ("out", "added required", [], [x("int32")], "FIELD_ADDED_REQUIRED", "new required field (int32)", None),
    ("in", "removed", [x("int32")], [], "FIELD_REMOVED", "field removed (int32); its log column stops being filled",
     "keep the field (it may be nullable)"),
    ("out", "removed", [x("int32")], [], "FIELD_REMOVED", f"field removed (int32); {CLIENTS_OUT}",
     "keep the field (it may be nullable)"),
    ("in", "widened", [x("int32")], [x("int64")], "TYPE_WIDENED",
     f"int32 -> int64 widens an input; {ICEBERG} promotes its column int -> long", None),
    ("out", "widened", [x("int32")], [x("float64")], "TYPE_WIDENED",
     f"int32 -> float64 widens an output; {CLIENTS_OUT}; {ICEBERG} cannot change its column int -> double",
     "keep the old type, or add a field of the new type next to the old one"),
    ("in", "lossy", [x("int32")], [x("float32")], "TYPE_WIDENED_LOSSY",
     "int32 -> float32 widens an input but may round values; the inference-log table cannot evolve its column "
     "this way", "use a float type that holds the integer exactly (float64 for int32)"),
    ("in", "lossy int64", [x("int64")], [x("float64")], "TYPE_WIDENED_LOSSY",
     "int64 -> float64 widens an input but may round values; the inference-log table cannot evolve its column "
     "this way", "use a float type that holds the integer exactly (float64 for int32)"),
    ("in", "narrowed", [x("int64")], [x("int32")], "TYPE_NARROWED", f"int64 -> int32 narrows an input; {CLIENTS_IN}",
     "keep the wider type and convert inside the model"),
    ("out", "narrowed", [x("int64")], [x("int32")], "TYPE_NARROWED", "int64 -> int32 narrows an output", None),
    ("in", "changed", [x("int32", nullable=True)], [x("string", nullable=True)], "TYPE_CHANGED",
     f"int32 -> string changes the type of an input; {CLIENTS_IN}; {ICEBERG} cannot change its column int -> "
     "string", "add a field of the new type under a new name instead"),
    ("in", "scale and precision grow", [dec(10, 2)], [dec(12, 4)], "DECIMAL_SCALE_CHANGED",
     f"decimal(10,2) -> decimal(12,4) changes the decimal scale; {ICEBERG} cannot change its column "
     "decimal(10,2) -> decimal(12,4)", SCALE_FIX),
    ("out", "scale and precision grow", [dec(10, 2)], [dec(12, 4)], "DECIMAL_SCALE_CHANGED",
     f"decimal(10,2) -> decimal(12,4) changes the decimal scale; {CLIENTS_OUT}; {ICEBERG} cannot change its "
     "column decimal(10,2) -> decimal(12,4)", SCALE_FIX),
    ("in", "scale and precision shrink", [dec(12, 4)], [dec(10, 2)], "DECIMAL_SCALE_CHANGED",
     f"decimal(12,4) -> decimal(10,2) changes the decimal scale; {CLIENTS_IN}; {ICEBERG} cannot change its "
     "column decimal(12,4) -> decimal(10,2)", SCALE_FIX),
    ("out", "scale and precision shrink", [dec(12, 4)], [dec(10, 2)], "DECIMAL_SCALE_CHANGED",
     f"decimal(12,4) -> decimal(10,2) changes the decimal scale; {ICEBERG} cannot change its column "
     "decimal(12,4) -> decimal(10,2)", SCALE_FIX),
    ("out", "scale alone", [dec(10, 2)], [dec(10, 4)], "DECIMAL_SCALE_CHANGED",
     f"decimal(10,2) -> decimal(10,4) changes the decimal scale; {CLIENTS_OUT}; {ICEBERG} cannot change its "
     "column decimal(10,2) -> decimal(10,4)", SCALE_FIX),
    ("in", "relaxed", [x("int32")], [x("int32", nullable=True)], "NULLABILITY_RELAXED",
     "an input becomes nullable; its log column becomes nullable", "keep the field non-nullable"),
    ("out", "relaxed", [x("int32")], [x("int32", nullable=True)], "NULLABILITY_RELAXED",
     f"an output becomes nullable; {CLIENTS_OUT}", "keep the field non-nullable"),
    ("in", "tightened", [x("int32", nullable=True)], [x("int32")], "NULLABILITY_TIGHTENED",
     f"an input becomes non-nullable; {CLIENTS_IN}",
     "keep the field nullable and default missing values inside the model"),
    ("out", "tightened", [x("int32", nullable=True)], [x("int32")], "NULLABILITY_TIGHTENED",
     "an output becomes non-nullable", None),
    ("in", "rank", [tensor(2, 3)], [tensor(2, 4, 1)], "TENSOR_RANK_CHANGED",
     f"float32[2,3] -> float32[2,4,1] changes the rank 2 -> 3; {CLIENTS_IN}",
     "keep the shape, or add a field of the new shape under a new name"),
    ("in", "relaxed dims", [tensor(2, 3)], [tensor(-1, -1)], "TENSOR_DIM_RELAXED",
     "float32[2,3] -> float32[-1,-1] makes dynamic dimensions 0, 1; its log column takes tensors of varying size",
     "keep the dimension fixed"),
    ("in", "constrained dim", [tensor(-1, 3)], [tensor(4, 3)], "TENSOR_DIM_CONSTRAINED",
     f"float32[-1,3] -> float32[4,3] fixes dimension 0; {CLIENTS_IN}",
     "keep the dimension dynamic (-1) and check the size inside the model"),
    ("in", "resized dim", [tensor(2, 3)], [tensor(2, 4)], "TENSOR_DIM_SIZE_CHANGED",
     f"float32[2,3] -> float32[2,4] resizes dimension 1; {CLIENTS_IN}",
     "keep the size, or add a field of the new shape under a new name"),
    ("in", "resized dims", [tensor(2, 3)], [tensor(5, 4)], "TENSOR_DIM_SIZE_CHANGED",
     f"float32[2,3] -> float32[5,4] resizes dimensions 0, 1; {CLIENTS_IN}",
     "keep the size, or add a field of the new shape under a new name"),
    ("in", "reshape", [tensor(2, 6)], [tensor(3, 4)], "TENSOR_RESHAPED_SAME_NUMEL",
     f"float32[2,6] -> float32[3,4] reshapes 12 elements; {CLIENTS_IN}", KEEP_SHAPE),
    ("in", "reshape per item", [tensor(-1, 2, 6)], [tensor(-1, 3, 4)], "TENSOR_RESHAPED_SAME_NUMEL",
     f"float32[-1,2,6] -> float32[-1,3,4] reshapes 12 elements per item; {CLIENTS_IN}", KEEP_SHAPE),
    ("in", "description", [x("int32", description="a")], [x("int32", description="b")], "METADATA_CHANGED",
     "description changed", None),
]


@pytest.mark.parametrize(("role", "old", "new", "rule", "message", "fix"),
                         [(c[0], c[2], c[3], c[4], c[5], c[6]) for c in CASES], ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_the_message_and_fix_of_a_finding(role: str, old: list[dict[str, Any]], new: list[dict[str, Any]], rule: str,
                                          message: str, fix: str | None) -> None:
    assert _findings(role, old, new) == [(rule, message, fix)]


def test_a_rename_candidate_names_every_removed_field_of_the_same_type() -> None:
    old = [{"name": "a", "type": "float32"}, {"name": "b", "type": "float32"}, {"name": "c", "type": "int32"}]
    new = [{"name": "d", "type": "float32"}]
    candidates = [f for f in _findings("in", old, new) if f[0] == "FIELD_RENAME_CANDIDATE"]
    assert candidates == [("FIELD_RENAME_CANDIDATE", "may be a rename of the removed a or b (same type float32)",
                           "edgec never infers renames: for clients and the log a rename is a removal plus an "
                           "addition")]


def test_a_reused_name_says_which_type_it_had() -> None:
    found = _findings("out", [], [x("string")], earlier=[x("int32", nullable=True)])
    assert ("FIELD_NAME_REUSED", "name removed earlier as int32 comes back as string; clients reading it may break",
            "give the field a new name; its old log column has the old type") in found
    # nullability alone does not change what a column holds: no reuse finding
    assert [f[0] for f in _findings("out", [], [x("int32")], earlier=[x("int32", nullable=True)])] == [
        "FIELD_ADDED_REQUIRED"]
