"""Hostile input is refused quickly with a clear diagnostic, never by running out of memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.load.yaml_source import MAX_BYTES, MAX_NODES, NodeBudget, parse_yaml, parse_yaml_text


def test_billion_laughs_is_refused_at_the_node_budget() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(9):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    documents, diagnostics = parse_yaml_text("\n".join(lines), "bomb.yaml")
    assert documents == []
    # Refused at the alias that passes the node budget, long before 9**10 nodes (no timed assertion: speed is
    # bench/'s business, and a wall-clock bound fails on a loaded machine).
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("input-limit", 7, 8)]


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
    assert data["a"] == "yes" and data["b"] == 31 and data["c"] == "1_000" and data["d"] is None
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


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}"), ("- ", "")])
def test_any_nesting_depth_is_refused_at_the_first_level_too_deep(opener: str, closer: str) -> None:
    # a million levels: libyaml's own composer would recurse until it segfaults; here the 101st level stops it
    text = opener * 1_000_000 + "x" + closer * 1_000_000
    documents, diagnostics = parse_yaml_text(text, "deep.yaml")
    assert documents == []
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("input-limit", 1, 1 + 100 * len(opener))]
    assert diagnostics[0].message == "nesting deeper than 100 levels"


def test_two_million_list_items_stop_at_the_node_limit() -> None:
    text = "items:\n" + "- 1\n" * 2_000_000
    documents, diagnostics = parse_yaml_text(text, "big.yaml")
    assert documents == []
    # the root mapping, its key and its list are three nodes: the limit is passed by item MAX_NODES - 2
    assert [(d.code, d.line) for d in diagnostics] == [("input-limit", MAX_NODES - 1)]
    assert diagnostics[0].message == f"the file holds more than {MAX_NODES:,} YAML nodes (aliases counted expanded)"


def test_the_node_budget_spans_files() -> None:
    budget = NodeBudget(total=10)
    assert parse_yaml_text("[1, 2, 3, 4]", "one.yaml", budget=budget)[1] == []
    _, diagnostics = parse_yaml_text("[1, 2, 3, 4, 5, 6]", "two.yaml", budget=budget)
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("input-limit", 1, 14)]
    assert "the spec root holds more than 10 YAML nodes in all" in diagnostics[0].message


def test_integers_longer_than_python_converts_are_an_input_limit() -> None:
    _, diagnostics = parse_yaml_text("cpus: " + "9" * 5000, "n.yaml")
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("input-limit", 1, 7)]


def test_aliased_values_are_copies() -> None:
    documents, _ = parse_yaml_text("a: &x {k: [1]}\nb: *x\n", "copy.yaml")
    data = documents[0].data
    assert data["a"] == data["b"] and data["a"] is not data["b"] and data["a"]["k"] is not data["b"]["k"]


def test_self_referencing_alias_is_refused() -> None:
    _, diagnostics = parse_yaml_text("a: &x [*x]\n", "loop.yaml")
    assert [(d.code, d.line, d.column, d.message) for d in diagnostics] == [
        ("yaml-syntax", 1, 8, "found undefined alias 'x'")]
