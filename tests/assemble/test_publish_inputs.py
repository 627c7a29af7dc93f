"""The inputs digest of a publish: what the user wrote, nothing that templates or compression produce."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import compiler.assemble.archive as archive
from compiler.analysis.analyze import analyze
from compiler.assemble.artifact_builders import ModelLayers
from compiler.assemble.publish_inputs import ModelContents, publish_inputs

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"
Inputs = Callable[[], dict[str, str]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "specs"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".edgec"))
    folder = root / "models" / "rf"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"weights\n")
    (folder / "run.sh").write_text("#!/bin/sh\n")
    _edit(root / "specs" / "models.yaml", "artifact: ../models/rf_model.onnx", "artifact: ../models/rf")
    return root


@pytest.fixture
def inputs(root: Path) -> Inputs:
    def digests() -> dict[str, str]:
        analysis = analyze(root)
        assert analysis.ok, analysis.diagnostics
        contents = ModelContents(ModelLayers())
        found = {name: publish_inputs(analysis.specs, name, contents) for name in analysis.specs.publishes}
        return {name: value.digest for name, value in found.items() if value is not None}
    return digests


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_same_specs_give_the_same_digest_whatever_the_compression(
        inputs: Inputs, monkeypatch: pytest.MonkeyPatch) -> None:
    before = inputs()
    assert sorted(before) == ["new-pipeline-pub", "new-pub", "pub"] and len(set(before.values())) == 3
    monkeypatch.setattr(archive, "GZIP_LEVEL", 1)
    assert inputs() == before


def test_what_the_artifacts_do_not_hold_changes_nothing(root: Path, inputs: Inputs) -> None:
    """A default written out, a model moved with its content, replaces/rollout, another version of the pipeline."""
    before = inputs()
    _edit(root / "specs" / "models.yaml", "  framework: onnx\n", "  framework: onnx\n  arch: x86\n")
    shutil.move(root / "models" / "rf", root / "models" / "rf-moved")
    _edit(root / "specs" / "models.yaml", "artifact: ../models/rf", "artifact: ../models/rf-moved")
    _edit(root / "specs" / "pipelines.yaml", "    - name: v2 ", "    - name: v9\n      steps:\n"
          "        - model: gbr-house-price-estimator\n    - name: v2 ")
    _edit(root / "specs" / "publishes.yaml", "  replaces: [new-pub]\n", "")
    assert inputs() == before


@pytest.mark.parametrize("change", ["content", "added file", "executable bit", "schema", "deployment config"])
def test_what_the_artifacts_hold_changes_the_digest_of_its_publishes_only(
        change: str, root: Path, inputs: Inputs) -> None:
    before = inputs()
    folder = root / "models" / "rf"
    if change == "content":
        (folder / "model.onnx").write_bytes(b"retrained\n")
    elif change == "added file":
        (folder / "notes.txt").write_text("new\n")
    elif change == "executable bit":
        os.chmod(folder / "run.sh", 0o755)
    elif change == "schema":
        _edit(root / "specs" / "models.yaml", "description: estimated price", "description: the price")
    else:
        _edit(root / "specs" / "publishes.yaml", "engine: {cpus: 4, memory: 3Gi}", "engine: {cpus: 2, memory: 3Gi}")
    after = inputs()
    assert after["pub"] != before["pub"]
    assert after["new-pub"] == before["new-pub"] and after["new-pipeline-pub"] == before["new-pipeline-pub"]
