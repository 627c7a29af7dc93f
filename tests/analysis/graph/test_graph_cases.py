"""Scenario cases: tests/cases/graph/<case>/ holds specs and `expected.txt` with `file:line:col code [text]`
lines; the graph's diagnostics must be exactly those, and validation must be clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.analysis.graph import build_graph
from compiler.load.load_root import load_specs
from tests.analysis.graph.specfiles import CASES, case_root

GRAPH_CODES = {"replace-cycle", "replace-conflict", "arch-mismatch", "step-mismatch", "orphan-publish",
               "empty-replacement", "rollout-unassigned", "wave-order", "empty-wave", "rollout-coverage"}
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _expected(case: str) -> list[tuple[str, str]]:
    out = []
    for line in (CASES / case / "expected.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            where, code, *text = line.split(maxsplit=2)
            out.append((f"{where} {code}", text[0] if text else ""))
    return out


@pytest.mark.parametrize("case", NAMES)
def test_case(case: str, tmp_path: Path) -> None:
    validation = load_specs(case_root(case, tmp_path))
    assert validation.diagnostics == []
    _, diagnostics = build_graph(validation.specs)
    actual = sorted(diagnostics, key=lambda d: d.sort_key())
    expected = _expected(case)
    assert [f"{d.file}:{d.line}:{d.column} {d.code}" for d in actual] == [head for head, _ in expected]
    for d, (_, text) in zip(actual, expected, strict=True):
        assert text in d.message


def test_every_graph_code_has_a_case() -> None:
    covered = {head.split()[1] for case in NAMES for head, _ in _expected(case)}
    assert covered >= GRAPH_CODES
