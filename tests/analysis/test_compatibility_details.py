"""The compatibility policy in detail: the wording of `breaking-change`, where findings point in pipelines of
several steps, the log format, publishes of a version already served, unused acknowledgements, and the
references `edgec diff` takes (SPEC sections 3 and 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.analysis.analyze import Analysis, analyze
from compiler.analysis.compatibility import (
    check_replacements,
    diff_references,
    input_changes,
    new_log_schema,
    resolve_models,
)
from compiler.analysis.graph import build_graph
from compiler.diagnostics import EdgecError, Location, Severity
from compiler.load.load_root import load_specs
from compiler.load.spec_set import Specs
from compiler.spec.model import SchemaField

API = "apiVersion: edgec.dev/v1\n"


def _fields(fields: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{{name: {name}, type: {type_}}}" for name, type_ in fields) + "]"


def write(root: Path, *, models: dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]]]],
          versions: list[list[str]], publishes: list[tuple[str, int, list[str]]], compatibility: str = "BACKWARD",
          log_format: str = "iceberg-v2", extra: str = "") -> Path:
    """models: name -> (inputs, outputs); versions: the step models of v1, v2, ...; publishes: (name, version
    number, replaces). One edge on the first publish."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "edgec.yaml").write_text(
        f"{API}kind: Config\nspec: {{compatibility: {compatibility}, logFormat: {log_format}}}\n")
    (root / "m.onnx").write_text("stand-in")
    (root / "models.yaml").write_text("---\n".join(
        f"{API}kind: Model\nmetadata: {{name: {name}}}\nspec:\n  framework: onnx\n  artifact: m.onnx\n"
        f"  inputSchema: {_fields(inputs)}\n  outputSchema: {_fields(outputs)}\n"
        for name, (inputs, outputs) in models.items()))
    (root / "pipeline.yaml").write_text(
        f"{API}kind: Pipeline\nmetadata: {{name: p}}\nspec:\n  versions:\n" + "".join(
            f"    - {{name: v{i + 1}, steps: [{', '.join(f'{{model: {m}}}' for m in steps)}]}}\n"
            for i, steps in enumerate(versions)))
    (root / "publishes.yaml").write_text("---\n".join(
        f"{API}kind: Publish\nmetadata: {{name: {name}}}\nspec:\n  pipeline: p\n  version: v{version}\n"
        + (f"  replaces: [{', '.join(replaces)}]\n" if replaces else "")
        for name, version, replaces in publishes) + extra)
    first = publishes[0][0]
    (root / "edge.yaml").write_text(f"{API}kind: EdgeLocation\nmetadata: {{name: e}}\nspec: {{publish: {first}}}\n")
    return root


def _breaking(analysis: Analysis) -> list[Any]:
    return [d for d in analysis.diagnostics if d.code == "breaking-change"]


X_INT = ([("x", "int32")], [("s", "float32")])
X_STR = ([("x", "string")], [("s", "float32")])


def test_a_publish_of_the_version_it_replaces_passes_the_check_on_to_its_replacer(tmp_path: Path) -> None:
    """pub2 re-publishes pub1's version; pub3 replaces pub2 with an incompatible input: it must be reported."""
    root = write(tmp_path, models={"m1": X_INT, "m2": X_STR}, versions=[["m1"], ["m2"]],
                 publishes=[("pub1", 1, []), ("pub2", 1, ["pub1"]), ("pub3", 2, ["pub2"])])
    analysis = analyze(root)
    assert set(analysis.checks) == {("pub2", "pub1"), ("pub3", "pub2")}
    assert analysis.checks[("pub3", "pub2")].replacement.publish == "pub3"
    (broken,) = _breaking(analysis)
    assert broken.message == (
        "TYPE_CHANGED in.x (int32 -> string) breaks clients sending inputs and the inference-log table "
        "(iceberg-v2) under BACKWARD: publish 'pub3' replaces 'pub2'; new field at models.yaml:16:17, "
        "old field at models.yaml:7:17")
    assert broken.hint == ("add a field of the new type under a new name instead; or accept it with "
                           "`acknowledge: [{rule: TYPE_CHANGED, field: in.x}]` on publish 'pub3'")
    assert (broken.file, broken.line, broken.column) == ("publishes.yaml", 22, 14)  # pub3's `replaces: [pub2]`


def test_a_version_served_again_later_is_the_one_its_replacer_is_checked_against(tmp_path: Path) -> None:
    """v1 -> v2 -> v1 -> v3: pub4 replaces a publish of v1 (x int32), not of v2 (x string)."""
    root = write(tmp_path, models={"m1": X_INT, "m2": X_STR, "m3": X_STR}, versions=[["m1"], ["m2"], ["m3"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"]), ("pub3", 1, ["pub2"]), ("pub4", 3, ["pub3"])],
                 compatibility="NONE")
    analysis = analyze(root)
    rules = {v.finding.rule for v in analysis.checks[("pub4", "pub3")].verdicts}
    assert rules == {"TYPE_CHANGED"}


def test_breaking_changes_of_outputs_and_of_added_inputs_name_their_audience(tmp_path: Path) -> None:
    models = {"m1": ([("x", "int32")], [("s", "float32"), ("t", "int32")]),
              "m2": ([("x", "int32"), ("y", "int32")], [("s", "float32")])}
    root = write(tmp_path, models=models, versions=[["m1"], ["m2"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"])], compatibility="FULL")
    messages = sorted(d.message for d in _breaking(analyze(root)))
    assert messages == [
        "FIELD_ADDED_REQUIRED in.y (absent -> int32) breaks clients sending inputs under FULL: publish 'pub2' "
        "replaces 'pub1'; new field at models.yaml:16:41",
        "FIELD_REMOVED out.t (int32 -> absent) breaks clients reading outputs under FULL: publish 'pub2' "
        "replaces 'pub1'; old field at models.yaml:8:44",
    ]


def test_every_failing_replacement_is_reported(tmp_path: Path) -> None:
    root = write(tmp_path, models={"m1": X_INT, "m2": X_STR, "m3": X_INT}, versions=[["m1"], ["m2"], ["m3"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"]), ("pub3", 3, ["pub2"])])
    assert [d.message.split(": publish ")[1].split(";")[0] for d in _breaking(analyze(root))] == [
        "'pub2' replaces 'pub1'", "'pub3' replaces 'pub2'"]


TWO_STEPS = {
    "pre1": ([("x", "int32")], [("h", "float32")]), "post1": ([("h", "float32")], [("s", "float32")]),
    "pre2": ([("x", "int64")], [("h", "float32")]), "post2": ([("h", "float32")], [("s", "float64")]),
}


def test_in_a_pipeline_of_several_steps_inputs_are_the_first_models_and_outputs_the_last(tmp_path: Path) -> None:
    root = write(tmp_path, models=TWO_STEPS, versions=[["pre1", "post1"], ["pre2", "post2"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"])], compatibility="NONE")
    (check,) = analyze(root).checks.values()
    where = {(v.finding.rule, v.finding.path): (v.finding.old_at, v.finding.new_at) for v in check.verdicts}
    # documents of 8 lines and a `---`: pre1 on lines 1-8, post1 10-17, pre2 19-26, post2 28-35
    assert where == {
        ("TYPE_WIDENED", "in.x"): (Location("models.yaml", 7, 17), Location("models.yaml", 25, 17)),
        ("TYPE_WIDENED", "out.s"): (Location("models.yaml", 17, 18), Location("models.yaml", 35, 18)),
    }
    specs = load_specs(root).specs
    assert new_log_schema(specs, "pub2") == [("in.x", "int64"), ("out.s", "float64")]
    assert [(f.rule, f.path) for f in diff_references(specs, "pub1", "p:v2")] == [
        ("TYPE_WIDENED", "in.x"), ("TYPE_WIDENED", "out.s")]


@pytest.mark.parametrize("compatibility", ["BACKWARD", "BACKWARD_TRANSITIVE"])
def test_the_log_format_decides_a_column_change(tmp_path: Path, compatibility: str) -> None:
    """int32 -> float64 widens an input losslessly; Iceberg cannot promote the column, Delta can."""
    widened = {"m1": X_INT, "m2": ([("x", "float64")], [("s", "float32")])}
    publishes = [("pub1", 1, []), ("pub2", 2, ["pub1"])]
    iceberg = analyze(write(tmp_path / "iceberg", models=widened, versions=[["m1"], ["m2"]], publishes=publishes,
                            compatibility=compatibility))
    delta = write(tmp_path / "delta", models=widened, versions=[["m1"], ["m2"]], publishes=publishes,
                  compatibility=compatibility, log_format="delta")
    assert [d.message.split()[0] for d in _breaking(iceberg)] == ["TYPE_WIDENED"]
    assert _breaking(analyze(delta)) == []
    specs = load_specs(delta).specs
    assert [(f.rule, f.log) for f in diff_references(specs, "pub1", "pub2")] == [("TYPE_WIDENED", Severity.INFO)]


def test_a_log_table_that_refuses_a_change_is_named_with_its_format(tmp_path: Path) -> None:
    narrowed = {"m1": ([("x", "uint8")], [("s", "float32")]), "m2": ([("x", "int8")], [("s", "float32")])}
    root = write(tmp_path, models=narrowed, versions=[["m1"], ["m2"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"])], log_format="delta")
    (broken,) = _breaking(analyze(root))
    assert "in.x (uint8 -> int8) breaks clients sending inputs and the inference-log table (delta) under " \
           "BACKWARD" in broken.message


def test_an_unused_acknowledgement_points_at_its_own_entry(tmp_path: Path) -> None:
    ack = ("  acknowledge:\n    - {rule: TYPE_CHANGED, field: in.x}\n    - {rule: FIELD_REMOVED, field: in.nope}\n")
    root = write(tmp_path, models={"m1": X_INT, "m2": X_STR}, versions=[["m1"], ["m2"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"])], extra=ack)
    (unused,) = [d for d in analyze(root).diagnostics if d.code == "unused-acknowledgement"]
    assert (unused.file, unused.line, unused.column, unused.severity) == ("publishes.yaml", 17, 7, Severity.WARNING)
    assert unused.hint == "remove it, or fix the rule id or field path"
    assert unused.message == ("acknowledgement {rule: FIELD_REMOVED, field: in.nope} matches no finding of "
                              "publish 'pub2'")


def _specs(root: Path) -> Specs:
    return load_specs(root).specs


def test_unresolved_references_are_left_to_validation(tmp_path: Path) -> None:
    """A version whose first model is unknown, a merge naming an unknown publish and one another publish keeps:
    nothing crashes, and only what resolves is checked."""
    models = {"m1": X_INT, "m2": X_STR}
    root = write(tmp_path, models=models, versions=[["ghost", "m1"], ["m1"], ["m2"]],
                 publishes=[("a-keeper", 2, ["pub1"]), ("pub1", 2, []), ("pub2", 2, []), ("pub3", 1, []),
                            ("merge", 3, ["pub1", "pub2", "pub3", "nowhere"])], compatibility="BACKWARD_TRANSITIVE")
    specs = _specs(root)
    graph, _ = build_graph(specs)
    checks, _ = check_replacements(specs, graph)
    assert set(checks) == {("a-keeper", "pub1"), ("merge", "pub2")}  # pub3's v1 has an unknown first model
    assert {v.finding.compared_with for v in checks[("merge", "pub2")].verdicts} == {None}  # pub1 is a-keeper's
    assert new_log_schema(specs, "pub3") == []
    with pytest.raises(EdgecError) as err:
        resolve_models(specs, "pub3")
    assert (err.value.diagnostic.code, err.value.diagnostic.message) == (
        "usage", "pipeline 'p' has no resolvable version 'v1'")


def test_references_of_edgec_diff(tmp_path: Path) -> None:
    root = write(tmp_path, models={"m1": X_INT, "m2": X_STR}, versions=[["m1"], ["m2"]],
                 publishes=[("pub1", 1, []), ("pub2", 2, ["pub1"])])
    specs = _specs(root)
    assert resolve_models(specs, "p:v2") == resolve_models(specs, "pub2") == ("m2", "m2")
    with pytest.raises(EdgecError) as err:
        resolve_models(specs, "p:v1:x")
    assert err.value.diagnostic.message == "pipeline 'p' has no resolvable version 'v1:x'"
    with pytest.raises(EdgecError) as err:
        resolve_models(specs, "pub9")
    diagnostic = err.value.diagnostic
    assert (diagnostic.code, diagnostic.message, diagnostic.hint) == (
        "usage", "'pub9' is neither a publish nor PIPELINE:VERSION", "publishes: pub1, pub2")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EdgecError) as err:
        resolve_models(_specs(empty), "pub1")
    assert err.value.diagnostic.hint is None


def test_input_changes_list_what_clients_must_change_but_not_descriptions() -> None:
    def fields(*documents: dict[str, Any]) -> list[SchemaField]:
        return [SchemaField.model_validate(d) for d in documents]

    old = fields({"name": "x", "type": "int32", "description": "old"}, {"name": "y", "type": "int32"})
    new = fields({"name": "x", "type": "int32", "description": "new"}, {"name": "y", "type": "int64"})
    assert input_changes(old, new) == [
        "in.y: int32 -> int64 widens an input; the inference-log table (iceberg-v2) promotes its column int -> long"]
