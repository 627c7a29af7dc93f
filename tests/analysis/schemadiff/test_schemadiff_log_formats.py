"""The log table's promotions per format (config `logFormat`), each from its own specification.

Iceberg table spec "Schema Evolution" (v1/v2 and v3 columns) and "Primitive Types" (decimal precision <= 38);
Delta Lake PROTOCOL.md "Type Widening". One case per promotion (and per refusal next to it), for every format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from compiler.analysis.schemadiff import diff_schemas, log_promotion_is_legal
from compiler.cli.main import main
from compiler.diagnostics import Severity
from compiler.spec.model import FieldType, LogFormat, SchemaField

V2, V3, DELTA = LogFormat.ICEBERG_V2, LogFormat.ICEBERG_V3, LogFormat.DELTA
ALL = frozenset(LogFormat)
NONE: frozenset[LogFormat] = frozenset()


def t(type_: str, **kw: Any) -> dict[str, Any]:
    return {"type": type_, **kw}


def dec(p: int, s: int) -> dict[str, Any]:
    return t("decimal", precision=p, scale=s)


#: (id, old, new, the formats whose log table takes the change in place)
PROMOTIONS: list[tuple[str, dict[str, Any], dict[str, Any], frozenset[LogFormat]]] = [
    # Iceberg v1/v2 and v3: int -> long, float -> double, decimal(P,S) -> decimal(P',S) with P' > P
    ("int-long", t("int32"), t("int64"), ALL),
    ("float-double", t("float32"), t("float64"), ALL),
    ("decimal-precision", dec(10, 2), dec(12, 2), ALL),
    ("decimal-precision-to-38", dec(30, 2), dec(38, 2), ALL),
    ("decimal-precision-past-38", dec(30, 2), dec(39, 2), NONE),
    # Iceberg v3 only: date -> timestamp / timestamp_ns, never to a zoned timestamp; Delta: date -> timestamp_ntz
    ("date-timestamp", t("date"), t("timestamp", unit="us"), frozenset({V3, DELTA})),
    ("date-timestamp-ns", t("date"), t("timestamp", unit="ns"), frozenset({V3, DELTA})),
    ("date-timestamp-zoned", t("date"), t("timestamp", tz="UTC"), NONE),
    # Delta: byte -> short -> int -> long (Iceberg logs all of them as int: the column stays)
    ("byte-short", t("int8"), t("int16"), ALL),
    ("short-int", t("int16"), t("int32"), ALL),
    ("byte-long", t("int8"), t("int64"), ALL),
    # Delta: byte|short|int -> double; no format takes long -> double
    ("byte-double", t("int8"), t("float64"), frozenset({DELTA})),
    ("int-double", t("int32"), t("float64"), frozenset({DELTA})),
    ("long-double", t("uint32"), t("float64"), NONE),
    # Delta: decimal(p,s) -> decimal(p+k1, s+k2), k1 >= k2 >= 0; Iceberg keeps the scale
    ("decimal-scale-and-precision", dec(10, 2), dec(12, 4), frozenset({DELTA})),
    ("decimal-scale-outgrows-precision", dec(10, 2), dec(11, 4), NONE),
    ("decimal-scale-and-precision-past-38", dec(36, 2), dec(40, 6), NONE),
    # Delta: byte|short|int -> decimal(10+k1, k2), long -> decimal(20+k1, k2)
    ("int-decimal", t("int32"), dec(10, 0), frozenset({DELTA})),
    ("int-decimal-with-scale", t("int16"), dec(12, 2), frozenset({DELTA})),
    ("int-decimal-too-small", t("int32"), dec(9, 0), NONE),
    ("long-decimal", t("int64"), dec(20, 0), frozenset({DELTA})),
    ("long-decimal-too-small", t("int64"), dec(19, 0), NONE),
    # uint64 is logged as decimal(20,0) everywhere, so it grows like one
    ("uint64-decimal", t("uint64"), dec(25, 0), ALL),
    # nothing promotes across kinds
    ("string-binary", t("string"), t("binary"), NONE),
    ("long-int", t("int64"), t("int32"), NONE),
]


@pytest.mark.parametrize("log_format", list(LogFormat))
@pytest.mark.parametrize(("old", "new", "legal"), [p[1:] for p in PROMOTIONS], ids=[p[0] for p in PROMOTIONS])
def test_promotion(log_format: LogFormat, old: dict[str, Any], new: dict[str, Any],
                   legal: frozenset[LogFormat]) -> None:
    a, b = FieldType.model_validate(old), FieldType.model_validate(new)
    assert log_promotion_is_legal(a, b, log_format) is (log_format in legal)


@pytest.mark.parametrize("log_format", list(LogFormat))
@pytest.mark.parametrize(("old", "new", "legal"), [p[1:] for p in PROMOTIONS], ids=[p[0] for p in PROMOTIONS])
def test_a_type_change_of_a_log_column_is_judged_by_the_format(
    log_format: LogFormat, old: dict[str, Any], new: dict[str, Any], legal: frozenset[LogFormat]
) -> None:
    """Through the diff: the log verdict of the type-change finding is the format's, and its message says so."""
    before, after = SchemaField(name="x", **old), SchemaField(name="x", **new)
    findings = diff_schemas([before], [], [after], [], log_format=log_format)
    typed = [f for f in findings if f.rule in {"TYPE_WIDENED", "TYPE_CHANGED", "DECIMAL_SCALE_CHANGED",
                                                 "TYPE_NARROWED", "TYPE_WIDENED_LOSSY"}]
    assert len(typed) == 1, findings
    [finding] = typed
    if finding.rule == "TYPE_NARROWED":  # narrowing never changes a log column
        assert finding.log is Severity.INFO
        return
    assert finding.log is (Severity.INFO if log_format in legal else Severity.ERROR)
    if finding.rule != "TYPE_WIDENED_LOSSY":
        assert f"({log_format})" in finding.message


def test_messages_name_what_the_format_does_with_the_column() -> None:
    def message(log_format: LogFormat, old: dict[str, Any], new: dict[str, Any]) -> str:
        [f] = diff_schemas([SchemaField(name="d", **old)], [], [SchemaField(name="d", **new)], [],
                           log_format=log_format)
        return f.message

    date, stamp = t("date"), t("timestamp", unit="us")
    assert message(V2, date, stamp) == ("date -> timestamp(us) widens an input; the inference-log table "
                                        "(iceberg-v2) cannot change its column date -> timestamp")
    assert message(V3, date, stamp).endswith("the inference-log table (iceberg-v3) promotes its column "
                                             "date -> timestamp")
    assert message(DELTA, date, stamp).endswith("the inference-log table (delta) promotes its column "
                                                "date -> timestamp_ntz")
    assert message(V2, t("int8"), t("int16")).endswith("its inference-log column (iceberg-v2) stays int")
    assert message(DELTA, t("int8"), t("int16")).endswith("(delta) promotes its column byte -> short")


# ------------------------------------------------------------------------------------ through the command line
MODEL = """apiVersion: edgec.dev/v1
kind: Model
metadata: {{name: {name}}}
spec:
  framework: onnx
  artifact: m.onnx
  inputSchema: [{{name: day, type: {day}}}]
  outputSchema: [{{name: score, type: float32}}]
"""


def spec_root(tmp_path: Path, log_format: str | None) -> Path:
    """pub1 (day: date) replaced by pub2 (day: timestamp): legal for clients, a question for the log table."""
    setting = f", logFormat: {log_format}" if log_format else ""
    (tmp_path / "edgec.yaml").write_text(
        f"apiVersion: edgec.dev/v1\nkind: Config\nspec: {{compatibility: BACKWARD{setting}}}\n")
    (tmp_path / "m.onnx").write_text("stand-in")
    (tmp_path / "models.yaml").write_text(
        MODEL.format(name="m1", day="date") + "---\n" + MODEL.format(name="m2", day="timestamp"))
    (tmp_path / "pipeline.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  versions:\n"
        "    - {name: v1, steps: [{model: m1}]}\n    - {name: v2, steps: [{model: m2}]}\n")
    (tmp_path / "publishes.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: pub1}\nspec: {pipeline: p, version: v1}\n---\n"
        "apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: pub2}\n"
        "spec: {pipeline: p, version: v2, replaces: [pub1]}\n")
    (tmp_path / "edge.yaml").write_text(
        "apiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata: {name: e}\nspec: {publish: pub1}\n")
    return tmp_path


@pytest.mark.parametrize(("log_format", "log", "fails"), [
    (None, "error", True),  # iceberg-v2 is the default
    ("iceberg-v2", "error", True),
    ("iceberg-v3", "info", False),
    ("delta", "info", False),
])
def test_diff_and_plan_judge_the_log_by_the_configured_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], log_format: str | None, log: str, fails: bool
) -> None:
    root = spec_root(tmp_path, log_format)
    named = log_format or "iceberg-v2"
    code = main(["diff", "pub1", "pub2", "--root", str(root), "--format", "json"])
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (code, finding["rule"], finding["severity"]["log"]) == (int(fails), "TYPE_WIDENED", log)
    assert f"({named})" in finding["message"]
    assert finding["newLocation"] == {"file": "models.yaml", "line": 16, "column": 17}

    code = main(["plan", "--root", str(root), "--format", "json"])
    plan = json.loads(capsys.readouterr().out)
    [replacement] = plan["replacements"]
    [planned] = replacement["findings"]
    assert (planned["severity"]["log"], planned["fails"]) == (log, fails)
    breaking = [d for d in plan["diagnostics"] if d["code"] == "breaking-change"]
    assert code == int(fails)
    if fails:
        [d] = breaking
        assert (d["file"], d["line"], d["column"]) == ("publishes.yaml", 9, 45)  # pub2's replaces entry
        assert d["message"].startswith(
            "TYPE_WIDENED in.day (date -> timestamp) breaks the inference-log table (iceberg-v2) under BACKWARD")
        assert d["message"].endswith("new field at models.yaml:16:17, old field at models.yaml:7:17")
        assert f"({named}) cannot change its column date -> timestamp" in planned["message"]
    else:
        assert breaking == []


def test_an_unknown_log_format_is_a_schema_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = spec_root(tmp_path, "parquet")
    code = main(["validate", "--root", str(root), "--format", "json"])
    [d] = [d for d in json.loads(capsys.readouterr().out)["diagnostics"] if d["file"] == "edgec.yaml"]
    assert (code, d["code"], d["line"], d["column"]) == (1, "schema", 3, 44)
    assert d["message"] == "spec.logFormat: 'parquet' is not one of: iceberg-v2, iceberg-v3, delta"
