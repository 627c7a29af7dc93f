"""The public helpers: rendering, JSON shape, messages and hints, log schemas, step feeds, name reuse."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.analysis.schemadiff import Schemas, diff_schemas, format_type, log_schema, step_feed_findings
from compiler.diagnostics import Severity
from compiler.spec.model import FieldType, SchemaField


def f(name: str, type_: str, **kw: Any) -> SchemaField:
    return SchemaField.model_validate({"name": name, "type": type_, **kw})


@pytest.mark.parametrize(
    ("raw", "rendered"),
    [
        ({"type": "float32", "shape": [-1, 18]}, "float32[-1,18]"),
        ({"type": "decimal", "precision": 10, "scale": 2}, "decimal(10,2)"),
        ({"type": "int32", "nullable": True}, "nullable int32"),
        ({"type": "timestamp"}, "timestamp"),
        ({"type": "timestamp", "unit": "ms", "tz": "UTC"}, "timestamp(ms, tz=UTC)"),
        ({"type": "list", "items": {"type": "float32", "nullable": True}}, "list<nullable float32>"),
        (
            {"type": "struct", "fields": [{"name": "b", "type": "string"}, {"name": "a", "type": "int8"}]},
            "struct<a: int8, b: string>",
        ),
    ],
)
def test_format_type(raw: dict[str, Any], rendered: str) -> None:
    assert format_type(FieldType.model_validate(raw)) == rendered


def test_message_hint_and_json_of_a_widened_output() -> None:
    [finding] = diff_schemas([], [f("variable", "float32")], [], [f("variable", "float64")])
    assert finding.message == ("float32 -> float64 widens an output; clients reading it may break; "
                               "the inference-log table (iceberg-v2) promotes its column float -> double")
    assert finding.hint is not None
    assert "acknowledge: [{rule: TYPE_WIDENED, field: out.variable}]" in finding.hint
    assert finding.to_json() == {
        "rule": "TYPE_WIDENED",
        "role": "output",
        "path": "out.variable",
        "severity": {"clients": "error", "log": "info", "max": "error"},
        "old": "float32",
        "new": "float64",
        "message": finding.message,
        "hint": finding.hint,
        "comparedWith": None,
        "oldLocation": None,  # located by the caller that knows the model files
        "newLocation": None,
    }


def test_info_findings_carry_no_hint() -> None:
    [finding] = diff_schemas([f("x", "int32")], [], [f("x", "int64")], [])
    assert (finding.rule, finding.clients, finding.log, finding.hint) == ("TYPE_WIDENED", "info", "info", None)


def test_log_only_error_says_so() -> None:
    [finding] = diff_schemas([f("x", "string")], [], [f("x", "binary")], [])
    assert finding.clients is Severity.INFO and finding.log is Severity.ERROR
    assert "inference-log table" in finding.message


def test_warning_explains_and_hints_without_acknowledge() -> None:
    [finding] = diff_schemas([f("x", "int32")], [], [], [])
    assert finding.rule == "FIELD_REMOVED" and finding.log is Severity.WARNING
    assert finding.message == "field removed (int32); its log column stops being filled"
    assert finding.hint == "keep the field (it may be nullable)"


def test_type_messages_leave_nullability_to_its_own_rule() -> None:
    findings = diff_schemas([], [f("x", "int32")], [], [f("x", "int64", nullable=True)])
    widened = next(x for x in findings if x.rule == "TYPE_WIDENED")
    assert widened.message.startswith("int32 -> int64 widens")
    assert (widened.old, widened.new) == ("int32", "nullable int64")


def test_rename_candidate_names_the_removed_field() -> None:
    findings = diff_schemas([f("score", "float32"), f("keep", "int8")], [], [f("p", "float32"), f("keep", "int8")], [])
    assert [(x.rule, x.path) for x in findings] == [
        ("FIELD_ADDED_REQUIRED", "in.p"),
        ("FIELD_RENAME_CANDIDATE", "in.p"),
        ("FIELD_REMOVED", "in.score"),
    ]
    candidate = findings[1]
    assert "rename of the removed score" in candidate.message
    assert (candidate.old, candidate.new) == ("float32", "float32")


def test_rename_candidates_stay_within_one_parent() -> None:
    old = [
        f("s", "struct", fields=[{"name": "a", "type": "int32"}]),
        f("t", "struct", fields=[{"name": "k", "type": "int8"}]),
    ]
    new = [
        f("s", "struct", fields=[{"name": "k", "type": "int8"}]),
        f("t", "struct", fields=[{"name": "b", "type": "int32"}]),
    ]
    rules = {(x.rule, x.path) for x in diff_schemas(old, [], new, [])}
    assert ("FIELD_RENAME_CANDIDATE", "in.t.b") not in rules
    assert ("FIELD_RENAME_CANDIDATE", "in.s.k") not in rules
    assert ("FIELD_REMOVED", "in.s.a") in rules and ("FIELD_ADDED_REQUIRED", "in.t.b") in rules


class TestNameReuse:
    def test_a_name_back_with_another_type(self) -> None:
        v1, v2, v3 = [f("x", "int32"), f("k", "int8")], [f("k", "int8")], [f("x", "string"), f("k", "int8")]
        findings = diff_schemas([], v2, [], v3, earlier=[([], v1)])
        reused = next(x for x in findings if x.rule == "FIELD_NAME_REUSED")
        assert (reused.path, reused.old, reused.new) == ("out.x", "int32", "string")
        assert (reused.clients, reused.log) == (Severity.ERROR, Severity.ERROR)

    def test_the_latest_earlier_type_counts(self) -> None:
        earlier: list[Schemas] = [([f("x", "string")], []), ([f("x", "int32")], [])]
        findings = diff_schemas([f("k", "int8")], [], [f("x", "int32"), f("k", "int8")], [], earlier=earlier)
        assert "FIELD_NAME_REUSED" not in {x.rule for x in findings}

    def test_nullability_alone_is_no_reuse(self) -> None:
        earlier: list[Schemas] = [([f("x", "int32")], [])]
        findings = diff_schemas(
            [f("k", "int8")], [], [f("x", "int32", nullable=True), f("k", "int8")], [], earlier=earlier
        )
        assert [x.rule for x in findings] == ["FIELD_ADDED_OPTIONAL"]

    def test_roles_are_separate(self) -> None:
        earlier: list[Schemas] = [([f("x", "int32")], [])]
        findings = diff_schemas([], [f("k", "int8")], [], [f("x", "string"), f("k", "int8")], earlier=earlier)
        assert "FIELD_NAME_REUSED" not in {x.rule for x in findings}


def test_log_schema_lists_top_level_columns_in_schema_order() -> None:
    inputs = [f("tensor", "float32", shape=[18])]
    outputs = [
        f("variable", "float32"),
        f("det", "list", items={"type": "struct", "fields": [{"name": "s", "type": "int8"}]}),
    ]
    assert log_schema(inputs, outputs) == [
        ("in.tensor", "float32[18]"),
        ("out.variable", "float32"),
        ("out.det", "list<struct<s: int8>>"),
    ]


class TestStepFeed:
    def test_matching_schemas_feed(self) -> None:
        schema = [f("variable", "float32", shape=[-1, 1])]
        assert step_feed_findings(schema, schema) == []

    def test_consumer_accepting_a_wider_type_is_fine(self) -> None:
        [finding] = step_feed_findings([f("v", "float32")], [f("v", "float64")])
        assert (finding.rule, finding.role, finding.path, finding.clients) == ("TYPE_WIDENED", "input", "in.v", "info")

    def test_mismatches_are_client_errors(self) -> None:
        findings = step_feed_findings(
            [f("v", "float64"), f("extra", "string")], [f("v", "float32"), f("needed", "int32")]
        )
        errors = {(x.rule, x.path) for x in findings if x.clients is Severity.ERROR}
        assert errors == {("TYPE_NARROWED", "in.v"), ("FIELD_ADDED_REQUIRED", "in.needed")}
        assert ("FIELD_REMOVED", "in.extra") in {(x.rule, x.path) for x in findings}

    def test_step_boundaries_have_no_log(self) -> None:
        findings = step_feed_findings([f("v", "int32")], [f("v", "string")])
        assert [x.rule for x in findings] == ["TYPE_CHANGED"]
        assert all(x.log is Severity.INFO for x in findings)
