"""The yaml-test-suite through edgec's loader: conformance as a measured, tested property.

Every case of the vendored suite (`tests/load/yaml_test_suite/`, MIT) is parsed. A valid case must give the
suite's JSON value, an invalid one a diagnostic, and no case may crash or give a malformed diagnostic. Every case
where edgec does not agree is listed in `differences.txt` with its class: the deliberate ones (tags beyond the
core schema, complex keys, empty documents skipped) are checked by their diagnostic or value; the others are
libyaml 0.2.5's own readings. The README's conformance table is computed here and must match.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compiler.diagnostics import CODES
from compiler.load.yaml_source import parse_yaml_text

SUITE = Path(__file__).parent / "yaml_test_suite"
DATA = SUITE / "data"
README = Path(__file__).resolve().parents[2] / "README.md"

#: class -> (what it means, deliberate?)
CLASSES = {
    "tag": ("valid, refused: a tag beyond the core schema (custom tags, !!set, !!binary, ...)", True),
    "complex-key": ("valid, refused: a mapping or sequence as a key", True),
    "empty-document": ("valid, accepted: its empty documents skipped (as kubectl and Helm do)", True),
    "libyaml-rejects": ("valid, refused by libyaml 0.2.5", False),
    "libyaml-value": ("valid, accepted with another value by libyaml 0.2.5", False),
    "libyaml-accepts": ("invalid, accepted by libyaml 0.2.5", False),
}
AGREE = {"valid-value": "valid, accepted with the suite's value", "invalid-refused": "invalid, refused",
         "valid-no-json": "valid, accepted (the suite gives no JSON value to compare)"}


def _cases() -> list[str]:
    return sorted(p.parent.relative_to(DATA).as_posix() for p in DATA.rglob("in.yaml"))


@cache
def _differences() -> dict[str, str]:
    out = {}
    for line in (SUITE / "differences.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case, kind = line.split()[:2]
            out[case] = kind
    return out


def _json_stream(text: str) -> list[Any]:
    decoder, index, values = json.JSONDecoder(), 0, []
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def outcome(case: str) -> tuple[str, str]:
    """(class, detail) of one case: an agreement class of AGREE or a difference class of CLASSES."""
    folder = DATA / case
    documents, diagnostics = parse_yaml_text((folder / "in.yaml").read_bytes().decode("utf-8"), "in.yaml")
    for d in diagnostics:
        assert d.code in CODES and (d.line is None or d.line >= 1) and (d.column is None or d.column >= 1)
        assert "\n" not in d.message
    message = diagnostics[0].message if diagnostics else ""
    if (folder / "error").exists():
        return ("invalid-refused", message) if diagnostics else ("libyaml-accepts", "")
    if diagnostics:
        if message.startswith("unsupported tag"):
            return "tag", message
        if message == "mapping keys must be plain scalars":
            return "complex-key", message
        return "libyaml-rejects", message
    if not (folder / "in.json").exists():
        return "valid-no-json", ""
    wanted = _json_stream((folder / "in.json").read_text(encoding="utf-8"))
    got = [document.data for document in documents]
    if got == wanted:
        return "valid-value", ""
    if got == [value for value in wanted if value is not None] and (folder / "in.yaml").read_text().strip():
        return "empty-document", ""
    return "libyaml-value", repr(got)[:80]


@pytest.mark.parametrize("case", _cases())
def test_case_agrees_or_is_a_listed_difference(case: str) -> None:
    kind, detail = outcome(case)
    listed = _differences().get(case)
    if kind in AGREE:
        assert listed is None, f"{case} now agrees ({kind}): remove it from differences.txt"
    else:
        assert listed == kind, f"{case}: {kind} ({detail}) but differences.txt says {listed}"


def table() -> list[str]:
    counts = Counter(outcome(case)[0] for case in _cases())
    rows = [f"| {AGREE[k]} | {counts[k]} |" for k in AGREE]
    rows += [f"| {meaning}{' (deliberate)' if deliberate else ''} | {counts[k]} |"
             for k, (meaning, deliberate) in CLASSES.items()]
    return rows


def test_readme_table_matches_the_suite() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index("### YAML conformance"):]
    found = re.findall(r"^\| .* \| \d+ \|$", section, re.M)[:len(AGREE) + len(CLASSES)]
    assert found == table()
    assert f"{len(_cases())} cases" in section


def test_every_deliberate_difference_is_what_its_class_says() -> None:
    for case, kind in _differences().items():
        assert kind in CLASSES, f"{case}: unknown class {kind}"
    deliberate = {case for case, kind in _differences().items() if CLASSES[kind][1]}
    assert {_differences()[c] for c in deliberate} == {"tag", "complex-key", "empty-document"}
