"""Layer 3 for EdgeLocations: their `values` overrides fit the edge chart, hold no credential, and their labels are
Kubernetes labels. Checked at validate time, each problem at the offending key of the spec.

- Values: the overrides, merged over the chart's defaults as Helm merges them (compiler.spec.merge), must match
  the chart's `values.schema.json`; helm would refuse them on the device otherwise, long after the commit.
- Credentials: a key that looks like one (password, token, secret, api key, credential, private key) has no place
  in values, which land in git and in every GitOps agent's cache; the chart takes the registry credentials from
  a Kubernetes Secret (`ociRegistry.existingSecret`). The chart's own keys that *name* a Secret or a key in it are
  allowed, and so is an `engine.extraEnv` entry that reads its value from a Secret (`valueFrom`).
- Labels: they become labels of the rendered Argo CD and Flux objects (compiler.assemble.render.labels), so they
  must be well-formed, and `edgec.dev/` keys are edgec's own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import jsonschema_rs

from compiler.diagnostics import Diagnostic
from compiler.load.spec_set import Specs
from compiler.load.yaml_source import PathItem, parse_yaml_text
from compiler.resources import templates_dir
from compiler.spec import labels
from compiler.spec.merge import deep_merge

_CREDENTIAL = re.compile(r"pass(word|wd|phrase)?|token|secret|credential|api[-_]?key|private[-_]?key", re.I)
#: Keys that name a Secret or one of its keys (`existingSecret`, `passwordKey`, `secretKeyRef`, `secretName`):
#: references, not credentials.
_REFERENCE = re.compile(r"^existing|(Ref|Key|Name|pullSecret)$")
_SECRET_HINT = ("values are committed to the deployment repository: keep credentials in a Kubernetes Secret and "
                "name it (the registry's in ociRegistry.existingSecret; an engine variable through extraEnv "
                "valueFrom.secretKeyRef)")


@cache
def _chart() -> tuple[dict[str, Any], Any]:
    """(the chart's default values, a validator of its values.schema.json)."""
    chart = templates_dir() / "edge-chart"
    documents, problems = parse_yaml_text((chart / "values.yaml").read_text(encoding="utf-8"), "values.yaml")
    if problems or len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise RuntimeError("the edge chart's values.yaml does not parse")  # shipped with edgec: a bug
    schema = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    return documents[0].data, jsonschema_rs.validator_for(schema)


def check_edge_values(specs: Specs) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, edge in sorted(specs.edges.items()):
        out += _labels(specs, name, edge.metadata.labels)
        overrides = edge.spec.values
        if not overrides:
            continue
        credentials = list(_credentials(overrides, ()))
        for path in credentials:
            where = ".".join(str(p) for p in path)
            out.append(Diagnostic.at(specs.locate("EdgeLocation", name, ("spec", "values", *path), key=True),
                                     "credential-in-values", f"values.{where} looks like a credential",
                                     hint=_SECRET_HINT))
        out += _schema(specs, name, overrides)
    return out


def _credentials(value: Any, path: tuple[PathItem, ...]) -> Iterator[tuple[PathItem, ...]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = (*path, key)
            if isinstance(key, str) and _CREDENTIAL.search(key) and not _REFERENCE.search(key):
                yield here
            else:
                yield from _credentials(item, here)
    elif isinstance(value, list):
        env_list = path[-1:] == ("extraEnv",)
        for index, item in enumerate(value):
            if (env_list and isinstance(item, Mapping) and isinstance(item.get("name"), str)
                    and _CREDENTIAL.search(item["name"]) and "value" in item):
                yield (*path, index, "value")
            else:
                yield from _credentials(item, (*path, index))


def _schema(specs: Specs, name: str, overrides: Mapping[str, Any]) -> list[Diagnostic]:
    defaults, validator = _chart()
    merged = deep_merge(defaults, overrides)
    try:
        errors = list(validator.iter_errors(merged))
    except (ValueError, TypeError, OverflowError) as exc:  # values JSON cannot hold
        return [Diagnostic.at(specs.locate("EdgeLocation", name, ("spec", "values")), "edge-values",
                              f"values cannot be passed to Helm: {exc}")]
    out = []
    for error in errors:
        path: Sequence[PathItem] = tuple(error.instance_path)
        where = ".".join(str(p) for p in path) or "(the values)"
        out.append(Diagnostic.at(specs.locate("EdgeLocation", name, ("spec", "values", *path)), "edge-values",
                                 f"values.{where}: {error.message}",
                                 hint="the edge chart's values.schema.json refuses this; helm would too"))
    return out


def _labels(specs: Specs, name: str, given: Mapping[str, str]) -> list[Diagnostic]:
    out = []
    for key, value in sorted(given.items()):
        problem = labels.key_problem(key)
        if problem is None and labels.is_reserved(key):
            problem = f"keys under {labels.RESERVED_PREFIX} are edgec's own"
        if problem is not None:
            out.append(Diagnostic.at(specs.locate("EdgeLocation", name, ("metadata", "labels", key), key=True),
                                     "invalid-label", f"label key '{key}' is not valid: {problem}"))
            continue
        value_problem = labels.value_problem(value)
        if value_problem is not None:
            out.append(Diagnostic.at(specs.locate("EdgeLocation", name, ("metadata", "labels", key)),
                                     "invalid-label", f"label '{key}': {value_problem}"))
    return out
