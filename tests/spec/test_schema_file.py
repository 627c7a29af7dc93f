"""The checked-in JSON Schema is exactly what the models generate, and the trusted builder matches pydantic."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli.starter import write_starter
from compiler.load.load_root import load_specs
from compiler.resources import schema_path
from compiler.spec import schema
from compiler.spec.model import KINDS, construct_trusted

REPO = Path(__file__).resolve().parents[2]


def test_checked_in_schema_is_current() -> None:
    assert schema_path().read_text(encoding="utf-8") == schema.dumps(schema.generate()), (
        "schemas/edgec.schema.json is stale: run `python -m compiler.spec.schema`")


@pytest.mark.parametrize("source", ["example", "starter"])
def test_trusted_construction_equals_pydantic_validation(source: str, tmp_path: Path) -> None:
    root = REPO / "examples" / "house-price"
    if source == "starter":
        write_starter(root := tmp_path / "starter")
    validation = load_specs(root)
    assert validation.diagnostics == []
    for (kind, name), document in validation.specs.documents.items():
        built = validation.specs.of_kind(kind)[name]
        assert built == KINDS[kind].model_validate(document.data)
        assert built.model_dump(by_alias=True) == KINDS[kind].model_validate(document.data).model_dump(by_alias=True)


def test_trusted_construction_applies_defaults_and_enums() -> None:
    data = {"apiVersion": "edgec.dev/v1", "kind": "EdgeLocation", "metadata": {"name": "e"},
            "spec": {"publish": "p", "arch": "arm", "accel": "jetson"}}
    built = construct_trusted(KINDS["EdgeLocation"], data)
    assert built == KINDS["EdgeLocation"].model_validate(data)
    assert type(built.spec.arch).__name__ == "Arch" and built.spec.tags == []
