"""Hostile input is refused quickly with a clear diagnostic, never by running out of memory."""

from __future__ import annotations

import time
from pathlib import Path

from compiler.load.yaml_source import MAX_BYTES, parse_yaml, parse_yaml_text


def test_billion_laughs_is_refused_in_milliseconds() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(9):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    documents, diagnostics = parse_yaml_text("\n".join(lines), "bomb.yaml")
    elapsed = time.perf_counter() - start
    assert documents == []
    assert [(d.code, d.line) for d in diagnostics] == [("input-limit", 1)]
    assert elapsed < 2  # generous: the point is that it does not expand 9**10 nodes


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    documents, diagnostics = parse_yaml(big, "big.yaml")
    assert documents == []
    assert diagnostics[0].code == "input-limit"
    assert f"{MAX_BYTES:,}" in diagnostics[0].message


def test_deep_nesting_is_refused() -> None:
    _, diagnostics = parse_yaml_text("a: " + "[" * 5000 + "]" * 5000, "deep.yaml")
    assert diagnostics[0].code == "input-limit"


def test_shared_anchors_within_budget_are_fine() -> None:
    documents, diagnostics = parse_yaml_text("a: &x {k: 1}\nb: *x\nc: {<<: *x, j: 2}\n", "ok.yaml")
    assert diagnostics == []
    assert documents[0].data == {"a": {"k": 1}, "b": {"k": 1}, "c": {"k": 1, "j": 2}}


def test_yaml_12_scalars() -> None:
    documents, _ = parse_yaml_text("a: yes\nb: 0x1f\nc: 1_000\nd: ~\ne: -.inf\nf: 2024-01-01\ng: 010\n", "s.yaml")
    data = documents[0].data
    assert data["a"] == "yes" and data["b"] == 31 and data["c"] == 1000 and data["d"] is None
    assert data["e"] == float("-inf") and data["f"] == "2024-01-01" and data["g"] == 10


def test_not_utf8_is_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    _, diagnostics = parse_yaml(path, "latin1.yaml")
    assert diagnostics[0].code == "yaml-syntax"


def test_documents_before_a_syntax_error_are_kept() -> None:
    documents, diagnostics = parse_yaml_text("a: 1\n---\nb: [\n", "two.yaml")
    assert [d.data for d in documents] == [{"a": 1}]
    assert diagnostics[0].code == "yaml-syntax" and diagnostics[0].line == 4
