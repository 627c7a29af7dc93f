"""Layer 2: each document against the JSON Schema of its kind, with positions and did-you-mean hints.

The schema is the shipped `schemas/edgec.schema.json` (generated from `compiler.spec.model`). Validity is decided by
jsonschema-rs (compiled; about a hundred times faster than the pure-Python validator and 20 ms to import, which
keeps a pre-commit run quick); only a document that fails is explained by the `jsonschema` reference
implementation, whose errors carry the keyword, path and sub-errors the messages below are built from.

The decision fails closed: a document jsonschema-rs rejects is invalid even when the reference implementation
finds nothing to say (then jsonschema-rs's own errors explain it, positioned by their instance path). The two
read `pattern` alike because the explainer applies ECMA-262 semantics as jsonschema-rs and editors do
(`compiler.load.ecma_regex`: Python's `$` would accept a trailing newline); a differential test keeps them in
step. `.inf`/`.nan` are refused before either runs: jsonschema-rs turns them into null, which an unconstrained
value (Helm `values`) accepts. A document that passes is turned into its pydantic model; that step only fails on a
bug, which is still reported as a diagnostic rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from compiler.diagnostics import Diagnostic
from compiler.load.suggest import did_you_mean
from compiler.load.yaml_source import PathItem, SourceDocument
from compiler.spec import schema as schema_file
from compiler.spec.model import (
    API_VERSION,
    BRANCH_PATTERN,
    GIT_AUTHOR_EMAIL,
    GIT_AUTHOR_NAME,
    KINDS,
    NAME_PATTERN,
    QUANTITY_PATTERN,
    REGISTRY_PATTERN,
    VERSION_PATTERN,
    construct_trusted,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_PATTERN_HELP = {
    NAME_PATTERN: "must be lowercase letters, digits and '-', start with a letter and not end with '-'",
    VERSION_PATTERN: "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    QUANTITY_PATTERN: "must be a Kubernetes quantity such as 512Mi, 3Gi or 0.5",
    BRANCH_PATTERN: "is not a branch name git accepts (no '..', '//', leading '-', trailing '/' or '.', "
                    "and no part ending in '.lock')",
    REGISTRY_PATTERN: "is not an OCI registry prefix such as ghcr.io/org or localhost:5000/edge (lowercase path "
                      "parts, no '//', trailing '/' or '..')",
    GIT_AUTHOR_NAME: "must not hold '<', '>', a carriage return or a newline (git refuses them)",
    GIT_AUTHOR_EMAIL: "must not hold '<', '>' or white space",
}
_JSON_TYPES = {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "integer", float: "number"}


def dotted(path: Sequence[PathItem]) -> str:
    out = ""
    for item in path:
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else item)
    return out or "document"


@cache
def _fast_validator() -> Any:
    # The whole schema (it dispatches on `kind` with if/then): compiling it once takes ~4 ms, while one
    # validator per kind, each a `$ref` into the shared `$defs`, took ~30 ms apiece with jsonschema-rs.
    return jsonschema_rs.validator_for(schema_file.load())


@cache
def _explaining_validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError as SchemaError

    from compiler.load.ecma_regex import ecma_search

    def ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterable[SchemaError]:
        if validator.is_type(instance, "string") and not ecma_search(pattern, instance):
            yield SchemaError(f"{instance!r} does not match {pattern!r}")

    ecma = validators.extend(Draft202012Validator, {"pattern": ecma_pattern})
    return ecma(schema_file.kind_schema(kind))


def explaining_validator(kind: str) -> Draft202012Validator:
    """The reference validator of `kind` with ECMA-262 patterns (for the differential test)."""
    return _explaining_validator(kind)


def is_valid(data: Any) -> bool:
    """jsonschema-rs's verdict; False for values it cannot take (then the document is refused, fail closed)."""
    try:
        return bool(_fast_validator().is_valid(data))
    except (ValueError, TypeError, OverflowError):
        return False


def check_document(document: SourceDocument) -> tuple[str | None, BaseModel | None, list[Diagnostic]]:
    """Return (kind, model or None, diagnostics) for one document."""
    data = document.data
    if not isinstance(data, dict):
        return None, None, [Diagnostic.at(
            document.location(), "schema", "a spec document must be a mapping",
            hint="every document has apiVersion, kind, metadata and spec")]
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if api_version != API_VERSION:
        found = "no apiVersion" if api_version is None else f"apiVersion {api_version!r}"
        where = document.location(("apiVersion",)) if api_version is not None else document.location()
        return None, None, [Diagnostic.at(
            where, "schema", f"{found}: edgec specs have apiVersion {API_VERSION}",
            hint="if this file is not an edgec spec, list it under `exclude` in edgec.yaml")]
    if not isinstance(kind, str) or kind not in KINDS:
        where = document.location(("kind",)) if kind is not None else document.location()
        message = "missing key 'kind'" if kind is None else f"unknown kind {_show(kind)}"
        hint = did_you_mean(kind, KINDS) or "kind is one of " + ", ".join(KINDS)
        return None, None, [Diagnostic.at(where, "schema", message, hint=hint)]
    if document.non_finite:
        return kind, None, [
            Diagnostic.at(document.location(path), "schema", f"{dotted(path)}: {_show(_at(data, path))} is not a "
                          "finite number", hint="spec values are JSON values: .inf and .nan have no JSON form")
            for path in document.non_finite]
    if not is_valid(data):
        errors = sorted(_explaining_validator(kind).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
        diagnostics = [d for error in errors for d in _translate(error, document)]
        return kind, None, diagnostics or _fast_explanation(document)
    try:
        return kind, construct_trusted(KINDS[kind], data), []
    except (PydanticError, KeyError, TypeError, ValueError) as exc:
        if not isinstance(exc, PydanticError):
            return kind, None, [Diagnostic.at(document.location(), "schema", f"cannot read document: {exc}")]
        return kind, None, [
            Diagnostic.at(document.location(tuple(err["loc"])), "schema", f"{dotted(err['loc'])}: {err['msg']}")
            for err in exc.errors()
        ]


def _at(data: Any, path: Sequence[PathItem]) -> Any:
    for item in path:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _fast_explanation(document: SourceDocument) -> list[Diagnostic]:
    """jsonschema-rs's own errors, for a document only it rejects (the decision fails closed)."""
    try:
        errors = list(_fast_validator().iter_errors(document.data))
    except (ValueError, TypeError, OverflowError) as exc:
        return [Diagnostic.at(document.location(), "schema", f"the document holds a value JSON cannot: {exc}")]
    out = [Diagnostic.at(document.location(list(error.instance_path)), "schema",
                         f"{dotted(list(error.instance_path))}: {error.message}") for error in errors]
    return out or [Diagnostic.at(document.location(), "schema", "the document does not match the schema")]


def _translate(error: ValidationError, document: SourceDocument) -> list[Diagnostic]:
    path: list[PathItem] = list(error.absolute_path)
    where = dotted(path)
    keyword, instance, expected = error.validator, error.instance, error.validator_value

    if keyword in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        return _translate(best_match(error.context), document)
    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [
            Diagnostic.at(document.location([*path, key], key=True), "schema",
                          f"unknown key '{key}' in {where}", hint=did_you_mean(key, allowed)
                          or "allowed keys: " + ", ".join(sorted(allowed)))
            for key in instance if key not in allowed
        ]
    if keyword == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        return [Diagnostic.at(document.location(path), "schema", f"missing required key '{key}' in {where}")
                for key in missing]
    if keyword == "not" and isinstance(instance, dict):
        banned = _required_keys(expected)
        present = [key for key in banned if key in instance]
        kind = instance.get("type")
        return [Diagnostic.at(document.location([*path, key], key=True), "schema",
                              f"key '{key}' does not apply to type {kind!r} in {where}") for key in present] or [
            Diagnostic.at(document.location(path), "schema", f"{where}: {error.message}")]
    location = document.location(path)
    if keyword in ("enum", "const"):
        options = expected if keyword == "enum" else [expected]
        shown = ", ".join(str(o) for o in options)
        hint = did_you_mean(instance, [str(o) for o in options])
        return [Diagnostic.at(location, "schema", f"{where}: {_show(instance)} is not one of: {shown}", hint=hint)]
    if keyword == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        return [Diagnostic.at(location, "schema", f"{where}: expected {wanted}, got {_kind_of(instance)}",
                              hint=_yaml_surprise(wanted, document.scalar_text(path)))]
    if keyword == "pattern":
        rule = _PATTERN_HELP.get(expected, f"must match {expected}")
        return [Diagnostic.at(location, "schema", f"{where}: {_show(instance)} {rule}")]
    if keyword in ("maxLength", "minLength", "minItems", "maxItems", "minimum", "maximum",
                   "exclusiveMinimum", "exclusiveMaximum", "uniqueItems"):
        return [Diagnostic.at(location, "schema", f"{where}: {_limit_message(keyword, expected, instance)}")]
    return [Diagnostic.at(location, "schema", f"{where}: {error.message}")]


_YAML11_BOOLS = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}


def _yaml_surprise(wanted: str, written: str | None) -> str | None:
    """A hint for YAML 1.2 readings that surprise: `1.10` is the number 1.1, `yes` is a string."""
    if written is None:
        return None
    if "string" in wanted and written[:1].isdigit():
        return f"YAML reads {written} as a number; quote it: '{written}'"
    if "boolean" in wanted and written.lower() in _YAML11_BOOLS:
        return f"YAML 1.2 reads {written} as a string; write {str(_YAML11_BOOLS[written.lower()]).lower()}"
    return None


def _required_keys(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        keys = list(schema.get("required", []))
        for sub in schema.get("anyOf", []):
            keys += _required_keys(sub)
        return keys
    return []


def _limit_message(keyword: str, expected: Any, instance: Any) -> str:
    return {
        "maxLength": f"{_show(instance)} is longer than {expected} characters",
        "minLength": "must not be empty" if expected == 1 else f"must be at least {expected} characters",
        "minItems": f"needs at least {expected} item{'s' if expected != 1 else ''}",
        "maxItems": f"takes at most {expected} items",
        "minimum": f"{_show(instance)} is below the minimum {expected}",
        "maximum": f"{_show(instance)} is above the maximum {expected}",
        "exclusiveMinimum": f"{_show(instance)} must be greater than {expected}",
        "exclusiveMaximum": f"{_show(instance)} must be less than {expected}",
        "uniqueItems": "lists an item twice",
    }[keyword]


def _kind_of(value: Any) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
