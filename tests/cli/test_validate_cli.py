"""`edgec validate` as a user and a pre-commit hook see it: formats, FILES, quietness, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.support_cases import materialise

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "house-price"


def test_example_is_clean_and_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(EXAMPLE), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_text_format_points_into_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "unknown-reference", tmp_path)
    assert main(["validate", "--root", str(root), "--no-color"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "specs/edge.yaml:6:12: error[unknown-reference] publish 'pubb' not found"
    assert out[1] == "  hint: did you mean 'pub'?"
    assert out[-1] == "3 errors, 0 warnings in 5 spec files"
    assert "\033[" not in "".join(out)


def test_github_format_escapes_and_annotates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "unknown-reference", tmp_path)
    assert main(["validate", "--root", str(root), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first == ("::error file=specs/edge.yaml,line=6,col=12,title=unknown-reference::"
                     "publish 'pubb' not found%0Adid you mean 'pub'?")


def test_files_report_their_own_problems_and_cross_file_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = materialise("validate", "wrong-type", tmp_path)  # a schema error in specs/publish.yaml
    monkeypatch.chdir(root)
    assert main(["validate", "--format", "json", "specs/pipeline.yaml"]) == 0  # not caused by pipeline.yaml
    assert json.loads(capsys.readouterr().out)["diagnostics"] == []
    assert main(["validate", "--format", "json", "specs/publish.yaml"]) == 1
    assert {d["file"] for d in json.loads(capsys.readouterr().out)["diagnostics"]} == {"specs/publish.yaml"}


def test_a_rename_in_the_staged_file_reports_the_references_it_breaks(tmp_path: Path, capsys,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = materialise("validate", "_base", tmp_path)
    pipeline = root / "specs" / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("name: p\n", "name: p2\n"))
    monkeypatch.chdir(root)
    assert main(["validate", "--format", "json", "specs/pipeline.yaml"]) == 1
    diagnostics = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in diagnostics] == [
        ("specs/assay.yaml", 6, 13, "unknown-reference"), ("specs/publish.yaml", 6, 13, "unknown-reference")]
    assert diagnostics[0]["hint"].endswith("reported in specs/assay.yaml, outside the files named: a rule across "
                                           "files that they may have broken")


def test_files_resolve_alike_with_and_without_root(tmp_path: Path, capsys, monkeypatch) -> None:
    root = materialise("validate", "unknown-reference", tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--format", "json", "--root", "repo", "repo/specs/edge.yaml"]) == 1
    with_root = capsys.readouterr().out
    monkeypatch.chdir(root / "specs")
    assert main(["validate", "--format", "json", "edge.yaml"]) == 1
    assert capsys.readouterr().out == with_root


@pytest.mark.parametrize("name, message", [
    ("specs/missing.yaml", "specs/missing.yaml: no such file"),
    ("../outside.yaml", "../outside.yaml is outside the spec root"),
])
def test_a_named_file_that_is_missing_or_outside_is_a_usage_error(tmp_path: Path, capsys, monkeypatch,
                                                                   name: str, message: str) -> None:
    root = materialise("validate", "_base", tmp_path / "repo")
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    monkeypatch.chdir(root)
    assert main(["validate", "--no-color", name]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"edgec: error[usage] {message}")


def test_no_spec_root_upward_is_a_usage_error_with_a_hint(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "notes.yaml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--no-color"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"edgec: error[usage] no spec root: no edgec.yaml in {tmp_path.resolve()} or any folder above it"
    assert err[1] == "  hint: create a spec repo with `edgec init DIR`, or name one with --root DIR"


def test_root_is_found_upward_from_a_subfolder(tmp_path: Path, capsys, monkeypatch) -> None:
    root = materialise("validate", "bad-name", tmp_path)
    monkeypatch.chdir(root / "specs")
    assert main(["validate", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["diagnostics"][0]["file"] == "specs/edge.yaml"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "xml"]) == 2
    assert main(["validate", "--root", str(tmp_path / "missing")]) == 2
    assert "error[usage]" in capsys.readouterr().err


def test_schema_command_prints_the_shipped_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(printed["properties"]["kind"]["enum"]) == {"Model", "Pipeline", "Publish", "EdgeLocation", "Assay",
                                                          "Config"}


def test_init_writes_a_repo_that_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "fleet"
    assert main(["init", str(target)]) == 0
    assert (target / ".pre-commit-config.yaml").is_file() and (target / ".gitignore").read_text() == ".edgec/\n"
    assert main(["validate", "--root", str(target), "-q"]) == 0
    assert main(["init", str(target)]) == 2  # never writes over an existing repo


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    root = materialise("validate", "yaml-syntax", tmp_path)
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "compiler", "validate", "--root", str(root)],
                            capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.startswith("specs/edge.yaml:8:1: error[yaml-syntax]")


def test_schema_messages_name_the_rule_and_the_yaml_surprise(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = materialise("validate", "schema-yaml-surprises", tmp_path)
    assert main(["validate", "--root", str(root), "--no-color"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "edgec.yaml:4:21: error[schema] spec.insecureRegistry: expected boolean, got string",
        "  hint: YAML 1.2 reads yes as a string; write true",
        "specs/pipeline.yaml:10:13: error[schema] spec.versions[1].name: expected string, got number",
        "  hint: YAML reads 1.10 as a number; quote it: '1.10'",
    ]
    root = materialise("validate", "schema-git-rules", tmp_path / "git")
    assert main(["validate", "--root", str(root), "--no-color"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("edgec.yaml:6:13: error[schema] spec.deployRepo.branch: 'release.lock' is not a branch "
                             "name git accepts")
    assert out[1] == ("edgec.yaml:7:20: error[schema] spec.deployRepo.author.name: 'Ops\\rBot' must not hold '<', "
                      "'>', a carriage return or a newline (git refuses them)")


def test_control_character_is_one_positioned_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "yaml-control-character", tmp_path)
    assert main(["validate", "--root", str(root), "--no-color"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "specs/edge.yaml:7:15: error[yaml-syntax] control character U+0001 is not allowed in YAML text"
    assert out[1] == '  hint: remove it, or write it as the escape "\\x01" in a double-quoted string'
