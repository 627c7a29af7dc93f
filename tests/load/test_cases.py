"""Every validation code has a case folder asserting code, file, line and column, and the exit code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.support_cases import case_names, expected, materialise

AREA = "validate"
LAYER_CODES = {"yaml-syntax", "input-limit", "schema", "duplicate-name", "unknown-reference", "invalid-accel",
               "path-escape", "artifact-missing"}


def run_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[dict]]:
    code = main(["validate", "--root", str(root), "--format", "json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)["diagnostics"]


def test_base_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "_base", tmp_path)
    assert run_json(root, capsys) == (0, [])


@pytest.mark.parametrize("case", case_names(AREA))
def test_case(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, case, tmp_path)
    code, diagnostics = run_json(root, capsys)
    found = sorted(f"{d['file']}:{d['line']}:{d['column']} {d['code']}" for d in diagnostics)
    assert found == expected(AREA, case)
    assert code == (1 if any(d["severity"] == "error" for d in diagnostics) else 0)


def test_every_layer_code_has_a_case() -> None:
    covered = {line.split()[-1] for case in case_names(AREA) for line in expected(AREA, case)}
    assert covered >= LAYER_CODES


def test_symlink_out_of_root_is_path_escape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.onnx"
    outside.write_text("secret")
    root = materialise(AREA, "_base", tmp_path / "root")
    (root / "models" / "m.onnx").unlink()
    (root / "models" / "m.onnx").symlink_to(outside)
    code, diagnostics = run_json(root, capsys)
    assert code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diagnostics] == [
        ("path-escape", "specs/model.yaml", 7, 13)]


def test_symlinked_folder_inside_artifact_dir_is_path_escape(tmp_path: Path, capsys) -> None:
    root = materialise(AREA, "_base", tmp_path / "root")
    model_dir = root / "models" / "dir-model"
    model_dir.mkdir()
    (model_dir / "weights.bin").write_text("w")
    (model_dir / "leak").symlink_to("/etc")
    spec = root / "specs" / "model.yaml"
    spec.write_text(spec.read_text().replace("../models/m.onnx", "../models/dir-model"))
    code, diagnostics = run_json(root, capsys)
    assert code == 1 and [d["code"] for d in diagnostics] == ["path-escape"]


def test_hints_name_the_likely_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "misspelt-key", tmp_path)
    _, diagnostics = run_json(root, capsys)
    assert diagnostics[0]["message"] == "unknown key 'replace' in spec"
    assert diagnostics[0]["hint"] == "did you mean 'replaces'?"
    root2 = materialise(AREA, "unknown-reference", tmp_path / "two")
    _, diagnostics = run_json(root2, capsys)
    by_file = {(d["file"], d["line"]): d for d in diagnostics}
    assert by_file[("specs/edge.yaml", 6)]["message"] == "publish 'pubb' not found"
    assert by_file[("specs/edge.yaml", 6)]["hint"] == "did you mean 'pub'?"
    assert by_file[("specs/publish.yaml", 7)]["message"] == "pipeline 'p' has no version 'v9'"


def test_all_problems_reported_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "unknown-reference", tmp_path)
    model = root / "specs" / "model.yaml"  # a second, unrelated problem in another file
    model.write_text(model.read_text().replace("framework: onnx", "framework: 42"))
    code, diagnostics = run_json(root, capsys)
    assert code == 1
    assert {d["code"] for d in diagnostics} == {"schema", "unknown-reference"}


def _artifact_at(root: Path, written: str) -> None:
    spec = root / "specs" / "model.yaml"
    spec.write_text(spec.read_text().replace("../models/m.onnx", written))


@pytest.mark.parametrize(("written", "message"), [
    ("..", "is the spec root itself"),
    ("../.git", "lies in the hidden folder '.git'"),
    ("../.edgec/deploy-cache", "lies in the hidden folder '.edgec'"),
    ("../models/.env", "lies in the hidden folder '.env'"),
])
def test_the_root_and_hidden_folders_are_never_artifacts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         written: str, message: str) -> None:
    root = materialise(AREA, "_base", tmp_path / "root")
    for folder in (".git", ".edgec/deploy-cache", "models/.env"):
        (root / folder).mkdir(parents=True)
        (root / folder / "config").write_text("[remote] url = https://user:token@example.test/x.git")
    _artifact_at(root, written)
    code, diagnostics = run_json(root, capsys)
    assert code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diagnostics] == [
        ("path-escape", "specs/model.yaml", 7, 13)]
    assert message in diagnostics[0]["message"]


def test_a_link_into_a_hidden_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "_base", tmp_path / "root")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("token")
    (root / "models" / "m.onnx").unlink()
    (root / "models" / "m.onnx").symlink_to(root / ".git" / "config")
    code, diagnostics = run_json(root, capsys)
    assert code == 1 and [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("path-escape", 7, 13)]
    assert "links into the hidden folder '.git'" in diagnostics[0]["message"]


def test_an_empty_folder_is_not_an_artifact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "_base", tmp_path / "root")
    (root / "models" / "empty" / "sub").mkdir(parents=True)
    _artifact_at(root, "../models/empty")
    code, diagnostics = run_json(root, capsys)
    assert code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diagnostics] == [
        ("artifact-missing", "specs/model.yaml", 7, 13)]
    assert "holds no file" in diagnostics[0]["message"]


def test_a_fifo_inside_an_artifact_folder_is_not_regular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(AREA, "_base", tmp_path / "root")
    folder = root / "models" / "dir-model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"w")
    os.mkfifo(folder / "pipe")
    _artifact_at(root, "../models/dir-model")
    code, diagnostics = run_json(root, capsys)
    assert code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diagnostics] == [
        ("not-regular-file", "specs/model.yaml", 7, 13)]
    assert "models/dir-model/pipe" in diagnostics[0]["message"]


def test_in_root_links_to_regular_files_ship_their_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Hugging Face cache layout: snapshot files are links to blobs; the layer holds the blobs' bytes."""
    from compiler.assemble.archive import directory_members

    root = materialise(AREA, "_base", tmp_path / "root")
    cache = root / "models" / "hf"
    (cache / "blobs").mkdir(parents=True)
    (cache / "blobs" / "ab12").write_bytes(b"weights")
    (cache / "blobs" / "cd34").write_bytes(b"{}")
    snapshot = cache / "snapshots" / "rev1"
    snapshot.mkdir(parents=True)
    (snapshot / "model.safetensors").symlink_to("../../blobs/ab12")
    (snapshot / "config.json").symlink_to("../../blobs/cd34")
    _artifact_at(root, "../models/hf/snapshots/rev1")
    code, diagnostics = run_json(root, capsys)
    assert code == 0 and diagnostics == []
    members = directory_members(snapshot, prefix="rev1/")
    assert [(m.name, m.size) for m in members] == [("rev1/config.json", 2), ("rev1/model.safetensors", 7)]
