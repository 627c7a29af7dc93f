"""The YAML/JSON serialisers: hostile strings keep their structure and read back identically."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.assemble.render.serialize import canonical, to_json, to_yaml

from .helpers import load_yaml_all

HOSTILE = [
    "a\nb: injected",
    "x: y",
    "key: value\n---\nkind: Secret",
    "{{ .Values.ociRegistry.password }}",
    "{{ lookup 'v1' 'Secret' 'ns' 'name' }}",
    "*alias",
    "&anchor x",
    "---",
    "...",
    "- item",
    "? complex",
    "# comment",
    "!!python/object:os.system",
    "%YAML 1.1",
    "on",
    "No",
    "y",
    "~",
    "null",
    "0755",
    "1e3",
    "1:20",
    "2024-01-01",
    ".inf",
    "<<",
    "=",
    "",
    " leading space",
    "trailing space ",
    "tab\there",
    "quote ' and \" both",
    "back\\slash",
    "\u2028line separator",
    "nul\x00byte",
    "émoji 🚀",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("version", [(1, 1), (1, 2)])
def test_hostile_strings_read_back_as_the_same_strings(text: str, version: tuple[int, int]) -> None:
    doc = {"key": text, text or "empty": [text], "nested": {"list": [{"v": text}]}}
    (loaded,) = load_yaml_all(to_yaml(doc).encode(), version=version)
    assert loaded == doc


def test_plain_scalars_stay_readable() -> None:
    text = to_yaml({"a": "localhost:5000/edge/pipelines/p@sha256:abc", "b": "v2", "c": "ZXhw+/=="})
    assert text == "a: localhost:5000/edge/pipelines/p@sha256:abc\nb: v2\nc: ZXhw+/==\n"


def test_keys_sorted_kubernetes_head_first_no_aliases() -> None:
    shared = {"x": 1}
    text = to_yaml({"spec": {"b": shared, "a": shared}, "zeta": 1, "kind": "K", "apiVersion": "v1"})
    assert text.splitlines()[:2] == ["apiVersion: v1", "kind: K"]
    assert "&" not in text and "*" not in text
    assert text.index("  a:") < text.index("  b:")


def test_refuses_what_is_not_plain_data() -> None:
    with pytest.raises(TypeError):
        canonical({1: "int key"})
    with pytest.raises(TypeError):
        canonical({"x": object()})
    with pytest.raises(ValueError):
        to_yaml({"x": float("nan")})


def test_to_json_is_sorted_and_ascii() -> None:
    assert to_json({"b": "é", "a": 1}, indent=None) == '{"a": 1, "b": "\\u00e9"}'


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_values)
def test_any_plain_data_round_trips(value: object) -> None:
    doc = {"v": value}
    (loaded,) = load_yaml_all(to_yaml(doc).encode(), version=(1, 2))
    assert loaded == doc
    assert json.loads(to_json(doc)) == doc


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=30), max_size=5))
def test_any_strings_read_back_as_strings_in_yaml_1_1(doc: dict[str, str]) -> None:
    (loaded,) = load_yaml_all(to_yaml({"d": doc}).encode(), version=(1, 1))
    assert loaded == {"d": doc}
