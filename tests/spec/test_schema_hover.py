"""Editors show a description on hover for every property, and complete `acknowledge[].rule` from the rule ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.analysis.schemadiff import RULES
from compiler.spec import schema
from compiler.spec.rule_ids import RULE_IDS


def _properties(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (path, property schema) below `node`; the conditions of `if` describe no property of their own."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "if":
                continue
            if key == "properties":
                for name, prop in value.items():
                    yield f"{path}.{name}", prop
                    yield from _properties(prop, f"{path}.{name}")
            else:
                yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _properties(item, f"{path}[{i}]")


def test_every_property_has_a_description() -> None:
    generated = schema.generate()
    found = list(_properties(generated, "#"))
    assert len(found) > 80  # the walk reaches the nested definitions, not only the top level
    missing = [path for path, prop in found if not str(prop.get("description", "")).strip()]
    assert missing == []


def test_the_walk_finds_a_property_without_description() -> None:
    assert [p for p, s in _properties({"properties": {"a": {"type": "string"}}}, "#") if "description" not in s] == [
        "#.a"]


def test_acknowledge_rule_is_an_enum_of_the_rule_table() -> None:
    assert tuple(rule.id for rule in RULES) == RULE_IDS
    rule = schema.generate()["$defs"]["Acknowledgement"]["properties"]["rule"]
    assert rule["enum"] == list(RULE_IDS)
    assert rule["description"]
