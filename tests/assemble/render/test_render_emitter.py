"""The direct YAML emitter writes exactly ruamel's bytes: on hostile and random documents, on every document of the
example and of a generated fleet (and there without handing any document to ruamel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate_specs import Shape, write
from compiler.assemble.render import serialize, templating
from compiler.assemble.render.serialize import canonical, ruamel_yaml, to_yaml
from compiler.compile.stages import build

from .test_render_serialize import HOSTILE

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "house-price"

# Strings near every rule the emitter models: plain-safe shapes, YAML 1.1 words, indicators, escapes, unicode.
_tricky = st.sampled_from([
    *HOSTILE, "a:b", "a:", ":a", "a: b", "/path", "_x", "x_", "@x", "a@b", "a=b", "+1", "-x", "x-", "Y", "N", "TRUE",
    "Null", "NaN", "inf", "_", "__", "a#b", "a #b", "\x7f", "\x80", "\x85", "\xa0", "\ufeff", "\ud7ff", "\ue000",
    "\ufffe", "\U0001f680", "\t", "\r\n", "A\n", "a:b\n", "0x1F", "1_000", "v1.2.3", "x" * 99, "x" * 100, "x" * 128,
])
_strings = _tricky | st.text(max_size=24) | st.text(alphabet="ab:/_.@=+- #\"'\\\n", max_size=12)
_long = st.text(alphabet="ab \n\"", min_size=3990, max_size=4200)  # around ruamel's folding width
_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
            | _strings)
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_strings, children, max_size=4),
    max_leaves=24,
)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_any_document_gives_ruamels_bytes(document: Any) -> None:
    assert to_yaml(document) == ruamel_yaml(document)




@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_strings, _documents, min_size=1, max_size=5))
def test_any_mapping_gives_ruamels_bytes(document: dict[str, Any]) -> None:
    assert to_yaml(document) == ruamel_yaml(document)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_strings | _long, _scalars | _long, max_size=3), st.integers(0, 40))
def test_long_scalars_and_deep_indents_give_ruamels_bytes(mapping: dict[str, Any], depth: int) -> None:
    document: Any = mapping
    for level in range(depth):
        document = {f"k{level}": document} if level % 2 else [document]
    assert to_yaml(document) == ruamel_yaml(document)


def test_a_trailing_newline_is_never_plain() -> None:
    # `$` would match before a final newline: the plain-safe pattern must match the whole string
    assert to_yaml({"k": "b\n"}) == ruamel_yaml({"k": "b\n"}) == 'k: "b\\n"\n'
    assert to_yaml({"A\n": 1}) == ruamel_yaml({"A\n": 1}) == '? "A\\n"\n: 1\n'


def test_hostile_strings_as_keys_and_values() -> None:
    document = {text: [text, {text: text}] for text in HOSTILE}
    assert to_yaml(document) == ruamel_yaml(document)


@pytest.fixture()
def direct_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Render with a `to_yaml` filter that insists on the direct emitter and compares it with ruamel."""
    rendered: list[str] = []

    def checked(obj: Any) -> str:
        direct = serialize._emit(canonical(obj))  # raises if the document needed ruamel
        assert direct == ruamel_yaml(obj)
        rendered.append(direct)
        return direct

    monkeypatch.setitem(templating.environment().filters, "to_yaml", checked)
    return rendered


def test_the_example_renders_ruamels_bytes_directly(direct_only: list[str]) -> None:
    built = build(EXAMPLE)
    assert built.ok and built.files
    assert len(direct_only) >= 4  # values, application, two Flux documents, PLAN.md blocks


def test_a_generated_fleet_renders_ruamels_bytes_directly(direct_only: list[str], tmp_path: Path) -> None:
    write(tmp_path, Shape(resources=400, seed=3))
    built = build(tmp_path)
    assert built.ok, built.diagnostics[:3]
    edges = len(built.analysis.specs.edges)
    assert edges > 200
    assert len(direct_only) >= 4 * edges
