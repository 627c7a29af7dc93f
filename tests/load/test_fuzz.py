"""No input makes edgec raise: random YAML text and random mutations of the example end in diagnostics or success."""

from __future__ import annotations

import copy
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from compiler.analysis.analyze import analyze
from compiler.diagnostics import CODES
from compiler.load.yaml_source import parse_yaml_text

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"
FUZZ = settings(max_examples=int(os.environ.get("EDGEC_FUZZ_EXAMPLES", "120")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

yaml_alphabet = st.sampled_from([*"ab:-[]{}&*!|>'\"#%@`,?\n \t0123456789.~", "---", "...", "<<", "apiVersion", "kind",
                                 "spec", "edgec.dev/v1"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                    st.sampled_from(["../../etc/passwd", "/abs", "{{ x }}", "a\nb: c", "&a", "*a", "pub", "v1"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _assert_clean(diagnostics: list) -> None:
    for d in diagnostics:
        assert d.code in CODES
        assert d.line is None or d.line >= 1
        assert d.column is None or d.column >= 1


@FUZZ
@given(st.lists(yaml_alphabet, max_size=60).map("".join))
def test_random_yaml_text_never_raises(text: str) -> None:
    _, diagnostics = parse_yaml_text(text, "fuzz.yaml")
    _assert_clean(diagnostics)


def _documents() -> list[tuple[str, list[Any]]]:
    yaml = YAML(typ="safe", pure=False)
    return [(p.relative_to(EXAMPLE).as_posix(), list(yaml.load_all(p.read_text())))
            for p in sorted((EXAMPLE / "specs").glob("*.yaml"))]


ORIGINAL = _documents()


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


def _mutate(doc: Any, path: tuple, action: str, new: Any) -> Any:
    if not path:
        return new if action == "replace" else doc
    parent = doc
    for item in path[:-1]:
        parent = parent[item]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[str(last) + "x"] = parent.pop(last)
    else:
        parent[last] = new
    return doc


@FUZZ
@given(st.data())
def test_mutated_example_never_raises(data: st.DataObject) -> None:
    files = copy.deepcopy(ORIGINAL)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(files) - 1))
        name, docs = files[index]
        d = data.draw(st.integers(0, len(docs) - 1))
        path = data.draw(st.sampled_from(_paths(docs[d])))
        action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
        docs[d] = _mutate(docs[d], path, action, data.draw(values))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(EXAMPLE / "models", root / "models")
        shutil.copy(EXAMPLE / "edgec.yaml", root / "edgec.yaml")
        yaml = YAML(typ="safe", pure=True)
        for name, docs in files:
            buffer = io.StringIO()
            yaml.dump_all(docs, buffer)
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(buffer.getvalue())
        analysis = analyze(root)
        _assert_clean(analysis.diagnostics)


# ------------------------------------------------------------------------------ nesting depth and number classes
@FUZZ
@given(st.lists(st.sampled_from(["[", "{a: ", "- ", "{", "? "]), min_size=0, max_size=400), st.integers(0, 3))
def test_any_nesting_is_parsed_or_refused_at_a_position(openers: list[str], repeat: int) -> None:
    text = "".join(openers) * (1 + repeat * 50)  # up to 60,000 levels: libyaml's composer segfaults at ~40,000
    documents, diagnostics = parse_yaml_text(text, "deep.yaml")
    _assert_clean(diagnostics)
    if len(openers) * (1 + repeat * 50) > 2 * 100 and any(o in ("[", "{", "{a: ") for o in openers):
        assert documents == [] and diagnostics


# Strings on which ECMA-262 and Python's `re` disagree, numbers JSON cannot hold, and plain good values.
tricky_strings = st.sampled_from([
    "pub", "v1", "e\n", "pub\n", "v1\n", "\ufeff", "a\ufeffb", "\u00a0", "a\u2028", "\u0663", "x\r", "e\r\n",
    "ops\rbot", "main\n", "release.lock", "1Gi\n", "ghcr.io/x/\n", "a b", "", "é", "\x0b",
])
tricky_numbers = st.sampled_from([0, 1, -1, 0.5, 10**20, 10**300, -(10**30), 2**63, 4096, 4097, 1024, 1025, 1e308])
tricky = st.one_of(tricky_strings, tricky_numbers, st.booleans(), st.none(),
                   st.lists(tricky_strings, max_size=2), st.dictionaries(tricky_strings, tricky_strings, max_size=2))


@FUZZ
@given(st.data())
def test_jsonschema_rs_and_the_reference_agree_on_every_document(data: st.DataObject) -> None:
    """The differential test: the fast validator decides, the reference explains; they must never disagree."""
    from compiler.load.schema_check import explaining_validator, is_valid

    name, docs = data.draw(st.sampled_from(ORIGINAL))
    doc = copy.deepcopy(data.draw(st.sampled_from(docs)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        doc = _mutate(doc, path, "replace", data.draw(tricky))
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if kind not in ("Model", "Pipeline", "Publish", "EdgeLocation", "Assay", "Config"):
        return
    fast = is_valid(doc)
    reference = not any(explaining_validator(kind).iter_errors(doc))
    assert fast == reference, f"{name}: jsonschema-rs says {fast}, python-jsonschema says {reference} for {doc!r}"


@FUZZ
@given(st.sampled_from([".inf", "-.inf", "+.inf", ".nan", ".NaN", ".Inf", "1e400", "-1e999"]),
       st.sampled_from(["spec.values.x", "spec.tags[0]", "spec.values.deep.list[1]"]))
def test_non_finite_numbers_are_refused_anywhere(number: str, where: str) -> None:
    from compiler.load.schema_check import check_document

    values = {"spec.values.x": f"  values: {{x: {number}}}\n",
              "spec.tags[0]": f"  tags: [{number}]\n",
              "spec.values.deep.list[1]": f"  values:\n    deep: {{list: [0, {number}]}}\n"}[where]
    text = "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata:\n  name: e\nspec:\n  publish: p\n" + values
    (document,), problems = parse_yaml_text(text, "edge.yaml")
    assert problems == []
    _, resource, diagnostics = check_document(document)
    assert resource is None
    assert [(d.code, d.line) for d in diagnostics] == [("schema", 7 if where != "spec.values.deep.list[1]" else 8)]
    assert diagnostics[0].message.startswith(f"{where}: ") and diagnostics[0].message.endswith("is not a finite number")
