"""The public JSON Schema: generated from `compiler.spec.model`, shipped as `schemas/edgec.schema.json`.

`generate()` is the single producer; `python -m compiler.spec.schema` rewrites the checked-in file and a test fails when
the file is stale. At run time validation loads the shipped file (no schema generation on the hot path).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

SCHEMA_ID = "https://edgec.dev/schemas/v1/edgec.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def generate() -> dict[str, Any]:
    """Build the schema of every kind from the pydantic models."""
    from pydantic import BaseModel
    from pydantic.json_schema import GenerateJsonSchema, models_json_schema

    from compiler.spec.model import KINDS

    class _NoNullGenerator(GenerateJsonSchema):
        # `x: T | None = None` means "the key may be omitted", never "the key may be null": a spec says nothing
        # by leaving a key out, so the schema offers only T (and editors complete T, not null).
        def nullable_schema(self, schema: Any) -> dict[str, Any]:
            return self.generate_inner(schema["schema"])

        def default_schema(self, schema: Any) -> dict[str, Any]:
            out = super().default_schema(schema)
            if out.get("default", 0) is None:
                out.pop("default")
            return out

    pairs: list[tuple[type[BaseModel], Literal["validation"]]] = [(model, "validation") for model in KINDS.values()]
    _, top = models_json_schema(pairs, by_alias=True, ref_template="#/$defs/{model}",
                                schema_generator=_NoNullGenerator)
    defs = {name: _without_property_titles(schema) for name, schema in top["$defs"].items()}
    kinds = list(KINDS)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "edgec spec document",
        "description": "One resource of an edgec spec repository (apiVersion edgec.dev/v1).",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"apiVersion": {"const": "edgec.dev/v1", "description": "the spec format's version"},
                       "kind": {"enum": kinds, "description": "the kind of resource"}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
             "then": {"$ref": f"#/$defs/{KINDS[kind].__name__}"}}
            for kind in kinds
        ],
        "$defs": dict(sorted(defs.items())),
    }


def _without_property_titles(schema: Any) -> Any:
    """Drop pydantic's generated per-property titles ("Insecureregistry"): noise in editors and diffs."""
    if isinstance(schema, dict):
        out = {k: _without_property_titles(v) for k, v in schema.items() if k != "properties"}
        if "properties" in schema:
            out["properties"] = {
                name: {k: _without_property_titles(v) for k, v in prop.items() if k != "title"}
                for name, prop in schema["properties"].items()
            }
        return out
    if isinstance(schema, list):
        return [_without_property_titles(item) for item in schema]
    return schema


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


@cache
def load() -> dict[str, Any]:
    """The shipped schema file."""
    from compiler.resources import schema_path

    with schema_path().open(encoding="utf-8") as handle:
        return json.load(handle)


def kind_schema(kind: str) -> dict[str, Any]:
    """A schema that validates one document of `kind` directly (better errors than the top-level if/then)."""
    from compiler.spec.model import KINDS

    full = load()
    return {"$schema": DIALECT, "$defs": full["$defs"], "$ref": f"#/$defs/{KINDS[kind].__name__}"}


if __name__ == "__main__":
    from compiler.resources import schema_path

    schema_path().write_text(dumps(generate()), encoding="utf-8")
    print(schema_path())
