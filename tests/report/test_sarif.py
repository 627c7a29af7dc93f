"""`--format sarif` for validate and plan: valid SARIF 2.1.0 (checked against its JSON schema), exact positions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from compiler.cli.main import main
from tests.support_cases import materialise

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif" / "sarif-2.1.0-rtm.5.json").read_text())


def _validated(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_invalid_specs_as_sarif(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "unknown-reference", tmp_path)
    args = [command, "--root", str(root), "--format", "sarif"] + (["--offline"] if command == "plan" else [])
    assert main(args) == 1
    log = _validated(capsys.readouterr().out)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "edgec"
    first = run["results"][0]
    assert first["ruleId"] == "unknown-reference" and first["level"] == "error"
    assert first["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "specs/edge.yaml"},
                                                        "region": {"startLine": 6, "startColumn": 12}}}]
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_a_clean_run_is_an_empty_valid_log(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "house-price"
    assert main(["validate", "--root", str(example), "--format", "sarif"]) == 0
    assert _validated(capsys.readouterr().out)["runs"][0]["results"] == []


def test_the_schema_refuses_a_broken_log() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate({"version": "2.1.0", "runs": [{"results": []}]})
