"""Assay impacts: the field an assay watches changes on the model of the assay to create (through the CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compiler.analysis.assay_impact import watched_field
from compiler.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"
XGB_OUTPUT = """  outputSchema:
    - name: variable
      type: float32
      description: estimated price
---
apiVersion: edgec.dev/v1
kind: Model
metadata:
  name: gbr-house-price-estimator"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


def _retype_xgb_output(root: Path, replacement: str) -> None:
    models = root / "specs" / "models.yaml"
    text = models.read_text()
    assert XGB_OUTPUT in text
    models.write_text(text.replace(XGB_OUTPUT, XGB_OUTPUT.replace("      type: float32\n", replacement)))


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("iopath", "watched"), [
    ("output variable 0", ("output", "variable")),
    ("input tensor 0", ("input", "tensor")),
    ("output house price 2", ("output", "house price")),
    ("output variable", ("output", "variable")),
    ("variable 0", None),
    ("output", None),
])
def test_iopath_names_the_watched_field(iopath: str, watched: tuple[str, str] | None) -> None:
    assert watched_field(iopath) == watched


def test_the_example_has_no_assay_impact(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json(capsys, "validate", "--root", str(root), "--format", "json")
    assert code == 0 and [d for d in out["diagnostics"] if d["code"] == "assay-impact"] == []


def test_a_watched_field_retyped_on_the_new_model_is_an_assay_impact(root: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _retype_xgb_output(root, "      type: float64\n")
    code, out = _json(capsys, "validate", "--root", str(root), "--format", "json")
    impacts = [d for d in out["diagnostics"] if d["code"] == "assay-impact"]
    assert code == 0  # a warning: the replacement itself is allowed under BACKWARD
    assert [(d["severity"], d["file"], d["line"], d["column"]) for d in impacts] == [
        ("warning", "specs/assays.yaml", 9, 11)]
    message = impacts[0]["message"]
    assert "assay 'rf-price-drift' watches out.variable" in message
    assert "(edge-inline-replacement-demon, xgb-house-price-estimator)" in message
    assert "'new-pub' replacing 'pub'" in message and "TYPE_WIDENED float32 -> float64" in message

    code, plan = _json(capsys, "plan", "--root", str(root), "--format", "json", "--offline")
    assert code == 0
    replacement = next(r for r in plan["replacements"] if r["publish"] == "new-pub")
    (assay,) = replacement["assays"]
    assert assay["name"] == "rf-price-drift" and assay["impact"]["field"] == "out.variable"
    assert assay["impact"]["changes"] == [{"rule": "TYPE_WIDENED", "old": "float32", "new": "float64"}]
    other = next(r for r in plan["replacements"] if r["publish"] == "new-pipeline-pub")
    assert all("impact" not in a for a in other["assays"])


def test_a_reshaped_watched_field_is_an_impact(
        root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _retype_xgb_output(root, "      type: float32\n      shape: [1]\n")
    _, out = _json(capsys, "validate", "--root", str(root), "--format", "json")
    impacts = [d for d in out["diagnostics"] if d["code"] == "assay-impact"]
    assert len(impacts) == 1 and "out.variable" in impacts[0]["message"]


def test_only_the_description_changed_is_no_impact(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models = root / "specs" / "models.yaml"
    text = models.read_text()
    models.write_text(text.replace(XGB_OUTPUT, XGB_OUTPUT.replace("estimated price", "the price, estimated")))
    code, out = _json(capsys, "validate", "--root", str(root), "--format", "json")
    assert code == 0 and [d for d in out["diagnostics"] if d["code"] == "assay-impact"] == []
