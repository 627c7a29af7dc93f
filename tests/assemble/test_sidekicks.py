"""Models Wallaroo runs in a sidekick container: which frameworks, and the engine config a publish records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from compiler.assemble.publish_artifacts import build_artifacts, engine_config, sidekick_models
from compiler.load.load_root import load_specs
from compiler.spec.model import FRAMEWORKS, SIDEKICK_FRAMEWORKS, DeploymentConfig, runs_in_sidekick

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"


@pytest.mark.parametrize(("framework", "sidekick"), [
    ("onnx", False), ("tensorflow", False), ("keras", False), ("pytorch", False), ("sklearn", False),
    ("xgboost", False), ("python", True), ("custom", True), ("vllm", True), ("sglang", True), ("mlflow", True),
    ("hugging-face-text-generation", True), ("hugging-face-summarization", True),
])
def test_which_frameworks_run_in_a_sidekick(framework: str, sidekick: bool) -> None:
    assert framework in FRAMEWORKS  # every one is a framework the spec accepts
    assert runs_in_sidekick(framework) is sidekick


def test_the_sidekick_list_names_only_accepted_frameworks() -> None:
    assert set(FRAMEWORKS) >= SIDEKICK_FRAMEWORKS
    assert {f for f in FRAMEWORKS if runs_in_sidekick(f)} == SIDEKICK_FRAMEWORKS | {
        f for f in FRAMEWORKS if f.startswith("hugging-face-")}


def test_engine_config_lists_sidekick_images_as_wallaroo_records_them() -> None:
    native = engine_config(DeploymentConfig(), "x86", "none")
    assert native["engineAux"] == {"autoscale": {"type": "none"}}
    aux = engine_config(DeploymentConfig(), "x86", "none", ("llm",))["engineAux"]
    share = {"cpu": 1.0, "memory": "512Mi"}
    assert aux == {"autoscale": {"type": "none"}, "images": {"llm": {"resources": {"limits": share,
                                                                                      "requests": share}}}}


def test_a_sidekick_model_changes_only_its_publish_artifact(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    shutil.copytree(EXAMPLE, root)
    before, _ = build_artifacts(load_specs(root).specs)
    models = root / "specs" / "models.yaml"
    text = models.read_text()
    gbr = text.index("name: gbr-house-price-estimator")
    models.write_text(text[:gbr] + text[gbr:].replace("framework: onnx", "framework: hugging-face-text-classification",
                                                      1))
    specs = load_specs(root).specs
    assert sidekick_models(specs, "new-edge-inline-replacement", "v1") == ("gbr-house-price-estimator",)
    assert sidekick_models(specs, "edge-inline-replacement-demon", "v1") == ()
    after, _ = build_artifacts(specs)
    assert after["pub"].pipeline.digest == before["pub"].pipeline.digest
    changed = after["new-pipeline-pub"].pipeline
    assert changed.digest != before["new-pipeline-pub"].pipeline.digest
    assert json.loads(changed.config.data)["engine"]["engineAux"]["images"] == {
        "gbr-house-price-estimator": {"resources": {"limits": {"cpu": 1.0, "memory": "512Mi"},
                                                    "requests": {"cpu": 1.0, "memory": "512Mi"}}}}
