"""The compatibility policy over real replacement chains (transitive checks reach every earlier publish)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.analysis.analyze import analyze

MODEL = """apiVersion: edgec.dev/v1
kind: Model
metadata: {{name: {name}}}
spec:
  framework: onnx
  artifact: m.onnx
  inputSchema: {inputs}
  outputSchema: [{{name: score, type: float32}}]
"""


def chain(tmp_path: Path, compatibility: str) -> Path:
    (tmp_path / "edgec.yaml").write_text(
        f"apiVersion: edgec.dev/v1\nkind: Config\nspec: {{compatibility: {compatibility}}}\n")
    (tmp_path / "m.onnx").write_text("stand-in")
    models = [
        ("m1", "[{name: tensor, type: float32, shape: [4]}, {name: x, type: int32}]"),
        ("m2", "[{name: tensor, type: float32, shape: [4]}]"),  # x removed: fine for inputs
        ("m3", "[{name: tensor, type: float32, shape: [4]}, {name: x, type: string, nullable: true}]"),
    ]
    (tmp_path / "models.yaml").write_text("---\n".join(MODEL.format(name=n, inputs=i) for n, i in models))
    (tmp_path / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        + "".join(f"    - {{name: v{i}, steps: [{{model: m{i}}}]}}\n" for i in (1, 2, 3)))
    (tmp_path / "publishes.yaml").write_text("---\n".join(
        f"apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {{name: pub{i}}}\n"
        f"spec: {{pipeline: p, version: v{i}, replaces: [{'pub' + str(i - 1) if i > 1 else ''}]}}\n"
        for i in (1, 2, 3)))
    (tmp_path / "edge.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e}\nspec: {publish: pub1}\n")
    return tmp_path


@pytest.mark.parametrize(("compatibility", "rules"), [
    ("BACKWARD", {"FIELD_NAME_REUSED"}),
    ("BACKWARD_TRANSITIVE", {"FIELD_NAME_REUSED", "TYPE_CHANGED"}),
    ("NONE", set()),
])
def test_transitive_policy_checks_every_earlier_publish(tmp_path: Path, compatibility: str, rules: set) -> None:
    analysis = analyze(chain(tmp_path, compatibility))
    failing = [d for d in analysis.diagnostics if d.code == "breaking-change"]
    assert {d.message.split()[0] for d in failing} == rules
    assert all((d.file, d.line, d.column) == ("publishes.yaml", 14, 45) for d in failing)  # pub3's replaces: [pub2]
    if compatibility == "BACKWARD_TRANSITIVE":
        changed = next(d for d in failing if d.message.startswith("TYPE_CHANGED"))
        assert "in.x (int32 -> nullable string)" in changed.message and "compared with pub1" in changed.message
    step = analysis.checks[("pub2", "pub1")]
    assert not any(v.fails for v in step.verdicts)  # v1 -> v2 alone passes under every policy
