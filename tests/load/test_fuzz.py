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
