"""GitHub annotations name files as the checkout does; `plan --detailed-exitcode` follows terraform exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.cli.console import repo_prefix
from compiler.cli.main import main
from tests.support.gitenv import hermetic_git  # noqa: F401 - autouse: plan reads a local deployment repo
from tests.support_cases import materialise

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"


def test_prefix_is_the_roots_path_in_the_work_tree_or_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "deploy" / "fleet"
    root.mkdir(parents=True)
    assert repo_prefix(root, {}) == ""
    (tmp_path / ".git").mkdir()
    assert repo_prefix(root, {}) == "deploy/fleet/"
    assert repo_prefix(tmp_path, {}) == ""
    assert repo_prefix(root, {"GITHUB_WORKSPACE": str(tmp_path / "deploy")}) == "fleet/"
    assert repo_prefix(root, {"GITHUB_WORKSPACE": str(tmp_path / "elsewhere")}) == "deploy/fleet/"


def test_github_annotations_in_a_monorepo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    root = materialise("validate", "unknown-reference", tmp_path / "deploy")
    prefix = root.relative_to(tmp_path).as_posix()
    assert main(["validate", "--root", str(root), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"::error file={prefix}/specs/edge.yaml,line=6,col=12,title=unknown-reference::")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


def test_detailed_exitcode_changes_and_no_changes(root: Path, tmp_path: Path) -> None:
    assert main(["plan", "--root", str(root), "--detailed-exitcode", "-q"]) == 2  # nothing deployed yet
    assert main(["compile", "--root", str(root), "-q"]) == 0
    assert main(["plan", "--root", str(root), "--detailed-exitcode", "-q"]) == 0


@pytest.mark.parametrize("extra", [["--format", "xml"], ["--offline"], ["--no-such-flag"], ["--root", "/nonexistent"]])
def test_detailed_exitcode_usage_errors_exit_1(root: Path, extra: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plan", "--root", str(root), "--detailed-exitcode", *extra]
    assert main(args) == 1
    assert main([a for a in args if a != "--detailed-exitcode"]) in (0, 2)  # the same mistake without the mode
    capsys.readouterr()


def test_detailed_exitcode_invalid_specs_exit_1(tmp_path: Path) -> None:
    root = materialise("validate", "unknown-reference", tmp_path)
    assert main(["plan", "--root", str(root), "--detailed-exitcode", "-q"]) == 1
