"""The compatibility policy, acknowledgements, and transitive checks over every earlier publish."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.analysis.schemadiff import (
    Finding,
    Schemas,
    apply_policy,
    diff_schemas,
    diff_transitive,
    is_transitive,
    unused_acknowledgements,
)
from compiler.diagnostics import Severity
from compiler.spec.model import Acknowledgement, Compatibility, SchemaField

C = Compatibility
INF, WRN, ERR = Severity.INFO, Severity.WARNING, Severity.ERROR


def f(name: str, type_: str, **kw: Any) -> SchemaField:
    return SchemaField.model_validate({"name": name, "type": type_, **kw})


def finding(role: str, clients: Severity, log: Severity, rule: str = "R", path: str = "in.x") -> Finding:
    return Finding(rule, role, path, clients, log, None, None, "m")  # type: ignore[arg-type]


INPUT_BREAK = finding("input", ERR, INF, path="in.a")
OUTPUT_BREAK = finding("output", ERR, INF, path="out.b")
LOG_BREAK = finding("input", INF, ERR, path="in.c")
HARMLESS = finding("output", INF, WRN, path="out.d")
ALL = [INPUT_BREAK, OUTPUT_BREAK, LOG_BREAK, HARMLESS]


@pytest.mark.parametrize(
    ("compatibility", "failing"),
    [
        (C.BACKWARD, {"in.a": ("clients",), "in.c": ("log",)}),
        (C.BACKWARD_TRANSITIVE, {"in.a": ("clients",), "in.c": ("log",)}),
        (C.FORWARD, {"out.b": ("clients",), "in.c": ("log",)}),
        (C.FORWARD_TRANSITIVE, {"out.b": ("clients",), "in.c": ("log",)}),
        (C.FULL, {"in.a": ("clients",), "out.b": ("clients",), "in.c": ("log",)}),
        (C.FULL_TRANSITIVE, {"in.a": ("clients",), "out.b": ("clients",), "in.c": ("log",)}),
        (C.NONE, {}),
    ],
)
def test_policy_levels(compatibility: Compatibility, failing: dict[str, tuple[str, ...]]) -> None:
    verdicts = apply_policy(ALL, compatibility, [])
    assert [v.finding for v in verdicts] == ALL
    assert {v.finding.path: v.audiences for v in verdicts if v.fails} == failing
    assert not any(v.acknowledged for v in verdicts)


def test_both_audiences_can_fail_one_finding() -> None:
    [verdict] = apply_policy([finding("output", ERR, ERR, path="out.x")], C.FULL, [])
    assert verdict.fails and verdict.audiences == ("clients", "log")


def test_acknowledge_matches_rule_and_path() -> None:
    breaking = finding("input", ERR, INF, rule="TYPE_NARROWED", path="in.x")
    other_path = finding("input", ERR, INF, rule="TYPE_NARROWED", path="in.y")
    other_rule = finding("input", ERR, INF, rule="TYPE_CHANGED", path="in.x")
    ack = [Acknowledgement(rule="TYPE_NARROWED", field="in.x", reason="clients upgraded")]
    first, second, third = apply_policy([breaking, other_path, other_rule], C.BACKWARD, ack)
    assert (first.fails, first.acknowledged, first.audiences) == (False, True, ("clients",))
    assert (second.fails, second.acknowledged) == (True, False)
    assert (third.fails, third.acknowledged) == (True, False)


def test_acknowledging_a_passing_finding_changes_nothing() -> None:
    passing = finding("output", ERR, INF, rule="TYPE_WIDENED", path="out.x")
    [verdict] = apply_policy([passing], C.BACKWARD, [Acknowledgement(rule="TYPE_WIDENED", field="out.x")])
    assert (verdict.fails, verdict.acknowledged, verdict.audiences) == (False, False, ())


def test_unused_acknowledgements() -> None:
    acks = [Acknowledgement(rule="TYPE_WIDENED", field="out.x"), Acknowledgement(rule="TYPE_WIDENED", field="out.typo")]
    assert unused_acknowledgements([finding("output", ERR, INF, "TYPE_WIDENED", "out.x")], acks) == acks[1:]


def test_is_transitive() -> None:
    assert {c for c in C if is_transitive(c)} == {C.BACKWARD_TRANSITIVE, C.FORWARD_TRANSITIVE, C.FULL_TRANSITIVE}


def test_real_findings_under_the_policy() -> None:
    """out.variable float32 -> float64: fine for BACKWARD, fails FORWARD until acknowledged."""
    findings = diff_schemas([], [f("variable", "float32")], [], [f("variable", "float64")])
    assert not any(v.fails for v in apply_policy(findings, C.BACKWARD, []))
    assert [v.finding.rule for v in apply_policy(findings, C.FORWARD, []) if v.fails] == ["TYPE_WIDENED"]
    ack = [Acknowledgement(rule="TYPE_WIDENED", field="out.variable")]
    [verdict] = apply_policy(findings, C.FORWARD, ack)
    assert verdict.acknowledged and not verdict.fails


# --------------------------------------------------------------------------------------------------- transitive
KEEP = f("keep", "int8")
V1 = ([f("x", "int32"), KEEP], [KEEP])
V2 = ([KEEP], [KEEP])  # x removed: extra input is ignored
V3 = ([f("x", "string", nullable=True), KEEP], [KEEP])  # x back, optional, with another type


def _fails(findings: list[Finding], compatibility: Compatibility = C.BACKWARD_TRANSITIVE) -> list[tuple[str, str]]:
    return [(v.finding.rule, v.finding.path) for v in apply_policy(findings, compatibility, []) if v.fails]


def test_each_step_passes_but_the_chain_breaks() -> None:
    assert _fails(diff_schemas(*V1, *V2)) == []
    assert _fails(diff_schemas(*V2, *V3)) == []
    assert _fails(diff_schemas(*V1, *V3)) == [("TYPE_CHANGED", "in.x")]
    findings = diff_transitive([V1, V2], *V3)
    assert _fails(findings) == [("FIELD_NAME_REUSED", "in.x"), ("TYPE_CHANGED", "in.x")]


def test_history_alone_catches_the_reused_name() -> None:
    """Even a non-transitive policy sees the reuse when the replaced publish's history is passed."""
    assert _fails(diff_schemas(*V2, *V3, earlier=[V1]), C.BACKWARD) == [("FIELD_NAME_REUSED", "in.x")]


def test_transitive_keeps_the_worst_finding_per_rule_and_path() -> None:
    v1 = ([f("x", "int32")], [f("y", "int32")])
    v2 = ([f("x", "int64")], [f("y", "int64")])
    v3 = ([f("x", "float64")], [f("y", "float64")])
    findings = diff_transitive([v1, v2], *v3)
    by_key = {(x.rule, x.path): x for x in findings}
    # v1 -> v3 is a widening that is not a legal log promotion (log error); v2 -> v3 is lossy (log error too)
    assert by_key[("TYPE_WIDENED", "out.y")].log is ERR
    assert by_key[("TYPE_WIDENED_LOSSY", "in.x")].clients is WRN
    assert len(by_key) == len(findings)


def test_transitive_prefers_the_most_recent_comparison_on_a_tie() -> None:
    v1: Schemas = ([], [f("y", "int8")])
    v2: Schemas = ([], [f("y", "int16")])
    v3: Schemas = ([], [f("y", "int32")])
    [widened] = diff_transitive([v1, v2], *v3, labels=["p1", "p2"])
    assert widened.old == "int16" and "compared with" not in widened.message


def test_transitive_labels_name_the_older_version() -> None:
    findings = diff_transitive([V1, V2], [KEEP], [KEEP, f("z", "int8")], labels=["pub-v1", "pub-v2"])
    by_key = {(x.rule, x.path): (x.message, x.compared_with) for x in findings}
    assert by_key == {
        ("FIELD_REMOVED", "in.x"): ("field removed (int32); its log column stops being filled", "pub-v1"),
        # against both versions alike: the most recent comparison is kept, with no label
        ("FIELD_ADDED_REQUIRED", "out.z"): ("new required field (int8)", None),
    }
    findings = diff_transitive([V1, V2], *V3, labels=["pub-v1", "pub-v2"])
    changed = next(x for x in findings if x.rule == "TYPE_CHANGED")
    assert changed.compared_with == "pub-v1" and "compared with" not in changed.message
    with pytest.raises(ValueError, match="labels"):
        diff_transitive([V1, V2], *V3, labels=["only-one"])


def test_transitive_of_a_single_version_is_the_plain_diff() -> None:
    assert diff_transitive([V1], *V3) == diff_schemas(*V1, *V3)
