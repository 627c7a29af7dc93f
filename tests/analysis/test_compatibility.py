"""The compatibility policy over real replacement chains (transitive checks reach every earlier publish)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.analysis.analyze import analyze
from compiler.analysis.compatibility import (
    diff_references,
    input_changes,
    new_log_schema,
    resolve_models,
    schema_models,
    version_schemas,
)
from compiler.cli.main import main
from compiler.diagnostics import EdgecError, Location
from compiler.spec.model import SchemaField

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


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_a_breaking_change_points_at_the_old_and_the_new_field(tmp_path: Path) -> None:
    analysis = analyze(chain(tmp_path, "BACKWARD_TRANSITIVE"))
    changed = next(d for d in analysis.diagnostics if d.message.startswith("TYPE_CHANGED"))
    assert (changed.file, changed.line, changed.column) == ("publishes.yaml", 14, 45)  # the replaces entry
    # m3's `{name: x, ...}` (line 25) and m1's (line 7), both the second inputSchema item at column 60
    assert changed.message.endswith(
        "(compared with pub1); new field at models.yaml:25:60, old field at models.yaml:7:60")
    assert changed.hint is not None and changed.hint.count("acknowledge: [{rule: TYPE_CHANGED, field: in.x}]") == 1
    verdict = next(v for v in analysis.checks[("pub3", "pub2")].verdicts if v.finding.rule == "TYPE_CHANGED")
    assert (verdict.finding.old_at, verdict.finding.new_at) == (Location("models.yaml", 7, 60),
                                                                Location("models.yaml", 25, 60))


def test_plan_json_and_text_carry_typed_findings_with_positions(tmp_path: Path, capsys) -> None:
    root = chain(tmp_path, "BACKWARD_TRANSITIVE")
    code, out = cli(capsys, "plan", "--root", str(root), "--format", "json")
    assert code == 1
    replacement = next(r for r in json.loads(out)["replacements"] if r["publish"] == "pub3")
    changed = next(f for f in replacement["findings"] if f["rule"] == "TYPE_CHANGED")
    assert changed["comparedWith"] == "pub1" and changed["fails"] is True
    assert changed["oldLocation"] == {"file": "models.yaml", "line": 7, "column": 60}
    assert changed["newLocation"] == {"file": "models.yaml", "line": 25, "column": 60}
    assert changed["message"] == ("int32 -> string changes the type of an input; existing clients' requests may fail; "
                                  "the inference-log table (iceberg-v2) cannot change its column int -> string")
    code, out = cli(capsys, "plan", "--root", str(root), "--no-color")
    assert "in.x: in.x" not in out and "in.x (int32 -> absent" in out
    assert "      new: models.yaml:25:60\n      old: models.yaml:7:60\n" in out


def test_diff_shows_both_field_positions(tmp_path: Path, capsys) -> None:
    root = chain(tmp_path, "NONE")
    code, out = cli(capsys, "diff", "pub1", "pub3", "--root", str(root), "--no-color")
    assert code == 1
    assert ("error TYPE_CHANGED in.x (int32 -> nullable string; clients: error, log: error): int32 -> string "
            "changes the type of an input; existing clients' requests may fail; the inference-log table "
            "(iceberg-v2) cannot change its column int -> string\n"
            "  new: models.yaml:25:60\n  old: models.yaml:7:60\n") in out
    code, out = cli(capsys, "diff", "pub1", "pub3", "--root", str(root), "--format", "json")
    changed = next(f for f in json.loads(out)["findings"] if f["rule"] == "TYPE_CHANGED")
    assert (changed["oldLocation"]["line"], changed["newLocation"]["line"]) == (7, 25)
    code, out = cli(capsys, "diff", "pub1", "pub3", "--root", str(root), "--format", "github")
    assert "::error file=models.yaml,line=25,col=60,title=TYPE_CHANGED::in.x: int32 -> string changes" in out
    code, out = cli(capsys, "diff", "pub1", "pub2", "--root", str(root), "--format", "github")
    assert "::notice file=models.yaml,line=7,col=60,title=FIELD_REMOVED::in.x: field removed" in out  # the old one


def long_chain(root: Path, n: int, compatibility: str = "BACKWARD") -> Path:
    """n publishes of one pipeline, each replacing the one before; the models alternate between two schemas."""
    root.mkdir()
    (root / "edgec.yaml").write_text(
        f"apiVersion: edgec.dev/v1\nkind: Config\nspec: {{compatibility: {compatibility}}}\n")
    (root / "m.onnx").write_text("stand-in")
    (root / "models.yaml").write_text(
        MODEL.format(name="ma", inputs="[{name: x, type: int32}]") + "---\n"
        + MODEL.format(name="mb", inputs="[{name: x, type: int32}, {name: y, type: string, nullable: true}]"))
    (root / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        + "".join(f"    - {{name: v{i}, steps: [{{model: m{'ab'[i % 2]}}}]}}\n" for i in range(n)))
    (root / "publishes.yaml").write_text("---\n".join(
        f"apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {{name: pub{i}}}\n"
        f"spec: {{pipeline: p, version: v{i}{', replaces: [pub' + str(i - 1) + ']' if i else ''}}}\n"
        for i in range(n)))
    (root / "edge.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e}\nspec: {publish: pub0}\n")
    return root


def test_a_long_chain_is_checked_in_work_linear_in_its_length(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: pairs classified plus schemas walked for the history, per chain length. Linear work
    grows by the same amount for every 50 more publishes; the walk of the whole chain per replacement did not."""
    from compiler.analysis import compatibility
    from compiler.analysis.graph import build_graph
    from compiler.analysis.schemadiff import diff
    from compiler.load.load_root import load_specs

    counted = {"work": 0}

    def counting(fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            counted["work"] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(diff, "classify", counting(diff.classify))
    monkeypatch.setattr(diff, "_walk", counting(diff._walk))

    def work(n: int) -> int:
        specs = load_specs(long_chain(tmp_path / f"n{n}", n)).specs
        graph, _ = build_graph(specs)
        counted["work"] = 0
        checks, diagnostics = compatibility.check_replacements(specs, graph)
        assert len(checks) == n - 1 and not diagnostics  # every replacement judged, adding y passes BACKWARD
        return counted["work"]

    w50, w100, w150 = work(50), work(100), work(150)
    assert w100 - w50 == w150 - w100 > 0


def test_a_merge_of_two_chains_is_checked_against_both(tmp_path: Path) -> None:
    """pub3 replaces pub1 and pub2 (two roots); pub4 then replaces pub3: transitively against all three."""
    (tmp_path / "edgec.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Config\nspec: {compatibility: BACKWARD_TRANSITIVE}\n")
    (tmp_path / "m.onnx").write_text("stand-in")
    models = [("m1", "[{name: a, type: int32}]"), ("m2", "[{name: b, type: int32}]"),
              ("m3", "[{name: c, type: int32, nullable: true}]"), ("m4", "[{name: a, type: string}]")]
    (tmp_path / "models.yaml").write_text("---\n".join(MODEL.format(name=n, inputs=i) for n, i in models))
    (tmp_path / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        + "".join(f"    - {{name: v{i}, steps: [{{model: m{i}}}]}}\n" for i in (1, 2, 3, 4)))
    replaces = {1: "", 2: "", 3: ", replaces: [pub1, pub2]", 4: ", replaces: [pub3]"}
    (tmp_path / "publishes.yaml").write_text("---\n".join(
        f"apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {{name: pub{i}}}\n"
        f"spec: {{pipeline: p, version: v{i}{r}}}\n" for i, r in replaces.items()))
    (tmp_path / "edge.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e1}\nspec: {publish: pub1}\n---\n"
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e2}\nspec: {publish: pub2}\n")
    analysis = analyze(tmp_path)
    assert set(analysis.checks) == {("pub3", "pub1"), ("pub3", "pub2"), ("pub4", "pub3")}
    last = {(v.finding.rule, v.finding.path): v.finding.compared_with
            for v in analysis.checks[("pub4", "pub3")].verdicts}
    # in.a: int32 in pub1 -> string in pub4; in.b removed since pub2; in.c removed since pub3 (the replaced one)
    assert last[("TYPE_CHANGED", "in.a")] == "pub1"
    assert last[("FIELD_REMOVED", "in.b")] == "pub2"
    assert last[("FIELD_REMOVED", "in.c")] is None


def test_an_acknowledgement_counts_only_for_the_findings_of_its_own_publish(tmp_path: Path) -> None:
    root = chain(tmp_path, "BACKWARD")
    publishes = root / "publishes.yaml"
    ack = ", acknowledge: [{rule: FIELD_NAME_REUSED, field: in.x}]}"
    text = publishes.read_text()
    publishes.write_text(text.replace("version: v2, replaces: [pub1]}", "version: v2, replaces: [pub1]" + ack)
                         .replace("version: v3, replaces: [pub2]}", "version: v3, replaces: [pub2]" + ack))
    analysis = analyze(root)
    # pub3's finding is acknowledged by pub3; pub2 acknowledges a finding only pub3's replacement has.
    assert [(d.code, d.line) for d in analysis.diagnostics] == [("unused-acknowledgement", 9)]
    assert "publish 'pub2'" in analysis.diagnostics[0].message


def pub2_replaces_pub1(root: Path) -> Path:
    """pub1 (p v1, on edge e) and pub2 (p v2) replacing it."""
    (root / "publishes.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: pub1}\nspec: {pipeline: p, version: v1}\n---\n"
        "apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: pub2}\n"
        "spec: {pipeline: p, version: v2, replaces: [pub1]}\n")
    (root / "edge.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e}\nspec: {publish: pub1}\n")
    return root


def two_versions(root: Path, old_inputs: str, new_inputs: str) -> Path:
    (root / "edgec.yaml").write_text("apiVersion: edgec.dev/v1\nkind: Config\nspec: {compatibility: NONE}\n")
    (root / "m.onnx").write_text("stand-in")
    (root / "models.yaml").write_text(
        MODEL.format(name="m1", inputs=old_inputs) + "---\n" + MODEL.format(name="m2", inputs=new_inputs))
    (root / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        "    - {name: v1, steps: [{model: m1}]}\n    - {name: v2, steps: [{model: m2}]}\n")
    return pub2_replaces_pub1(root)


@pytest.mark.parametrize(("old", "new", "rules"), [
    ("[-1, 2, 6]", "[-1, 3, 4]", ["TENSOR_RESHAPED_SAME_NUMEL"]),  # a batch dimension kept: a reshape
    ("[-1, 2, 6]", "[-1, 2, 7]", ["TENSOR_DIM_SIZE_CHANGED"]),
    ("[0, 4]", "[4, 0]", ["TENSOR_DIM_SIZE_CHANGED"]),  # no element either way: resized, not reshaped
    ("[0]", "[-1]", ["TENSOR_DIM_RELAXED"]),
    ("[-1]", "[0]", ["TENSOR_DIM_CONSTRAINED"]),
])
def test_tensor_shapes_through_diff_and_plan(tmp_path: Path, capsys, old: str, new: str, rules: list[str]) -> None:
    root = two_versions(tmp_path, f"[{{name: t, type: float32, shape: {old}}}]",
                        f"[{{name: t, type: float32, shape: {new}}}]")
    code, out = cli(capsys, "diff", "pub1", "pub2", "--root", str(root), "--format", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == rules
    code, out = cli(capsys, "plan", "--root", str(root), "--format", "json")
    assert code == 0  # compatibility NONE: reported, never failing
    [replacement] = json.loads(out)["replacements"]
    assert [(f["rule"], f["path"], f["old"], f["new"]) for f in replacement["findings"]] == [
        (rules[0], "in.t", f"float32{old.replace(' ', '')}", f"float32{new.replace(' ', '')}")]


def test_breaking_change_messages_name_rule_change_audiences_policy_and_both_fields(tmp_path: Path) -> None:
    analysis = analyze(chain(tmp_path, "BACKWARD_TRANSITIVE"))
    found = [(d.code, d.message, d.hint, d.file, d.line, d.column) for d in analysis.diagnostics]
    assert found == [
        ("breaking-change",
         "FIELD_NAME_REUSED in.x (int32 -> nullable string) breaks clients sending inputs and the inference-log "
         "table (iceberg-v2) under BACKWARD_TRANSITIVE: publish 'pub3' replaces 'pub2'; new field at "
         "models.yaml:25:60",
         "give the field a new name; its old log column has the old type; or accept it with "
         "`acknowledge: [{rule: FIELD_NAME_REUSED, field: in.x}]` on publish 'pub3'",
         "publishes.yaml", 14, 45),
        ("breaking-change",
         "TYPE_CHANGED in.x (int32 -> nullable string) breaks clients sending inputs and the inference-log table "
         "(iceberg-v2) under BACKWARD_TRANSITIVE: publish 'pub3' replaces 'pub2' (compared with pub1); new field "
         "at models.yaml:25:60, old field at models.yaml:7:60",
         "add a field of the new type under a new name instead; or accept it with "
         "`acknowledge: [{rule: TYPE_CHANGED, field: in.x}]` on publish 'pub3'",
         "publishes.yaml", 14, 45),
    ]


def test_an_output_type_change_breaks_the_log_table_only(tmp_path: Path) -> None:
    root = two_versions(tmp_path, "[{name: t, type: float32}]", "[{name: t, type: float32}]")
    models = root / "models.yaml"
    text = models.read_text()
    at = text.rindex("type: float32}]\n")
    models.write_text(text[:at] + "type: int64}]\n" + text[at + len("type: float32}]\n"):])
    (root / "edgec.yaml").write_text("apiVersion: edgec.dev/v1\nkind: Config\n"
                                     "spec: {compatibility: BACKWARD, logFormat: delta}\n")
    [d] = analyze(root).diagnostics
    assert (d.code, d.file, d.line, d.column) == ("breaking-change", "publishes.yaml", 9, 45)
    assert d.message == ("TYPE_CHANGED out.score (float32 -> int64) breaks the inference-log table (delta) under "
                         "BACKWARD: publish 'pub2' replaces 'pub1'; new field at models.yaml:17:18, old field at "
                         "models.yaml:8:18")


def test_an_unused_acknowledgement_is_a_located_warning_with_a_hint(tmp_path: Path) -> None:
    root = chain(tmp_path, "BACKWARD")
    publishes = root / "publishes.yaml"
    publishes.write_text(publishes.read_text().replace(
        "version: v2, replaces: [pub1]}",
        "version: v2, replaces: [pub1], acknowledge: [{rule: TYPE_CHANGED, field: out.score}, "
        "{rule: FIELD_NAME_REUSED, field: in.y}]}"))
    unused = [d for d in analyze(root).diagnostics if d.code == "unused-acknowledgement"]
    line = publishes.read_text().splitlines()[8]
    first, second = line.index("{rule: TYPE_CHANGED") + 1, line.index("{rule: FIELD_NAME_REUSED") + 1
    assert [(d.severity.value, d.file, d.line, d.column, d.message, d.hint) for d in unused] == [
        ("warning", "publishes.yaml", 9, first,
         "acknowledgement {rule: TYPE_CHANGED, field: out.score} matches no finding of publish 'pub2'",
         "remove it, or fix the rule id or field path"),
        ("warning", "publishes.yaml", 9, second,
         "acknowledgement {rule: FIELD_NAME_REUSED, field: in.y} matches no finding of publish 'pub2'",
         "remove it, or fix the rule id or field path"),
    ]


def test_references_resolve_to_the_models_of_a_version(tmp_path: Path) -> None:
    specs = analyze(chain(tmp_path, "NONE")).specs
    assert resolve_models(specs, "pub2") == ("m2", "m2") and resolve_models(specs, "p:v3") == ("m3", "m3")
    with pytest.raises(EdgecError) as err:
        resolve_models(specs, "nope")
    assert (err.value.diagnostic.code, err.value.diagnostic.message, err.value.diagnostic.hint) == (
        "usage", "'nope' is neither a publish nor PIPELINE:VERSION", "publishes: pub1, pub2, pub3")
    with pytest.raises(EdgecError) as err:
        resolve_models(specs, "p:v9")
    assert (err.value.diagnostic.code, err.value.diagnostic.message, err.value.diagnostic.hint) == (
        "usage", "pipeline 'p' has no resolvable version 'v9'", None)
    assert schema_models(specs, "p", "v9") is None and version_schemas(specs, "p", "v9") is None
    found = [(f.rule, f.path, str(f.old_at), str(f.new_at)) for f in diff_references(specs, "pub1", "p:v3")]
    assert found == [("NULLABILITY_RELAXED", "in.x", "models.yaml:7:60", "models.yaml:25:60"),
                     ("TYPE_CHANGED", "in.x", "models.yaml:7:60", "models.yaml:25:60")]
    assert new_log_schema(specs, "pub3") == [("in.tensor", "float32[4]"), ("in.x", "nullable string"),
                                             ("out.score", "float32")]


def test_no_publishes_means_no_hint_listing_them(tmp_path: Path) -> None:
    root = chain(tmp_path, "NONE")
    (root / "publishes.yaml").unlink()
    (root / "edge.yaml").unlink()
    with pytest.raises(EdgecError) as err:
        resolve_models(analyze(root).specs, "pub1")
    assert err.value.diagnostic.hint is None and "'pub1' is neither" in err.value.diagnostic.message


def two_steps(root: Path, compatibility: str) -> Path:
    """p v1 = pre -> post, v2 = pre2 -> post2: inputs are the first step's, outputs the last step's."""
    model = ("apiVersion: edgec.dev/v1\nkind: Model\nmetadata: {{name: {name}}}\nspec:\n  framework: onnx\n"
             "  artifact: m.onnx\n  inputSchema: {inputs}\n  outputSchema: {outputs}\n")
    (root / "edgec.yaml").write_text(
        f"apiVersion: edgec.dev/v1\nkind: Config\nspec: {{compatibility: {compatibility}}}\n")
    (root / "m.onnx").write_text("stand-in")
    (root / "models.yaml").write_text("---\n".join([
        model.format(name="pre", inputs="[{name: raw, type: int32}]", outputs="[{name: mid, type: float32}]"),
        model.format(name="post", inputs="[{name: mid, type: float32}]",
                     outputs="[{name: score, type: float32}, {name: label, type: string}]"),
        model.format(name="pre2", inputs="[{name: raw, type: int32}, {name: flag, type: int32}]",
                     outputs="[{name: mid, type: float32}]"),
        model.format(name="post2", inputs="[{name: mid, type: float32}]", outputs="[{name: score, type: float32}]"),
    ]))
    (root / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        "    - {name: v1, steps: [{model: pre}, {model: post}]}\n"
        "    - {name: v2, steps: [{model: pre2}, {model: post2}]}\n")
    return pub2_replaces_pub1(root)


def position(path: Path, text: str) -> str:
    """`file:line:column` of the `{` that opens the schema field `text` names."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return f"{path.name}:{number}:{line.index(text) + 1}"
    raise AssertionError(text)


def test_inputs_are_located_in_the_first_step_and_outputs_in_the_last(tmp_path: Path) -> None:
    root = two_steps(tmp_path, "FULL")
    models = root / "models.yaml"
    found = {d.message.split(" ", 2)[1]: d.message for d in analyze(root).diagnostics if d.code == "breaking-change"}
    assert found["out.label"] == (
        "FIELD_REMOVED out.label (string -> absent) breaks clients reading outputs under FULL: publish 'pub2' "
        f"replaces 'pub1'; old field at {position(models, '{name: label')}")
    assert found["in.flag"].startswith("FIELD_ADDED_REQUIRED in.flag (absent -> int32) breaks clients sending inputs")
    assert found["in.flag"].endswith(f"; new field at {position(models, '{name: flag')}")


def test_input_changes_are_what_clients_must_change_without_descriptions() -> None:
    old = [SchemaField(name="raw", type="int32", description="the reading"),
           SchemaField(name="extra", type="int32")]
    new = [SchemaField(name="raw", type="int32", description="the raw reading"),
           SchemaField(name="extra", type="int64")]
    assert input_changes(old, new) == [
        "in.extra: int32 -> int64 widens an input; the inference-log table (iceberg-v2) promotes its column "
        "int -> long"]
    assert input_changes(old, old) == []
