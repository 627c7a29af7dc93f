"""The one Diagnostic type: a total order that tolerates absent positions, and equality over every field."""

from __future__ import annotations

import itertools

import pytest

from compiler.diagnostics import Diagnostic, Severity, sorted_unique

MIXED = [
    Diagnostic("b.yaml", 3, 1, "schema", "m"),
    Diagnostic("b.yaml", None, None, "schema", "m"),
    Diagnostic(None, None, None, "usage", "m"),
    Diagnostic("a.yaml", 2, None, "schema", "m"),
    Diagnostic("a.yaml", 2, 5, "schema", "m", Severity.WARNING),
]


def test_diagnostics_with_and_without_positions_sort_in_one_order() -> None:
    expected = [MIXED[2], MIXED[3], MIXED[4], MIXED[1], MIXED[0]]
    for order in itertools.permutations(MIXED):
        assert sorted_unique(order) == expected


def test_diagnostics_are_not_ordered_by_their_fields() -> None:
    with pytest.raises(TypeError):
        sorted(MIXED)  # type: ignore[type-var]  # sort_key is the one order


def test_the_hint_takes_part_in_equality_so_dedup_does_not_depend_on_input_order() -> None:
    plain = Diagnostic("a.yaml", 1, 1, "schema", "m")
    hinted = Diagnostic("a.yaml", 1, 1, "schema", "m", hint="did you mean 'x'?")
    assert plain != hinted
    assert sorted_unique([plain, hinted, plain]) == sorted_unique([hinted, plain, hinted]) == [plain, hinted]
    assert sorted_unique([hinted, Diagnostic("a.yaml", 1, 1, "schema", "m", hint="did you mean 'x'?")]) == [hinted]


def test_severity_orders_otherwise_equal_diagnostics() -> None:
    error = Diagnostic("a.yaml", 1, 1, "schema", "m")
    warning = Diagnostic("a.yaml", 1, 1, "schema", "m", Severity.WARNING)
    assert sorted_unique([warning, error]) == sorted_unique([error, warning]) == [error, warning]
