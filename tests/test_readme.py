"""The README stays true: its commands are the ones CI runs, and it documents every diagnostic code."""

from __future__ import annotations

import re
from pathlib import Path

from compiler.diagnostics import CODES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _first_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "README must open with a sh block of commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_install_run_and_test_commands() -> None:
    install_and_run, run_tests = _first_commands()
    assert "pip install ." in install_and_run and "edgec compile" in install_and_run
    assert "examples/house-price" in install_and_run
    assert "pytest" in run_tests


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _first_commands()[1].split("&&")[-1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1].strip() == test_command


def test_every_diagnostic_code_is_documented() -> None:
    missing = [code for code in CODES if f"| `{code}` |" not in README]
    assert missing == []


def test_pre_commit_hook_runs_validate_on_yaml_files() -> None:
    import re as regex

    from ruamel.yaml import YAML

    (hook,) = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "edgec-validate" and hook["entry"] == "edgec validate" and hook["pass_filenames"] is True
    pattern = regex.compile(hook["files"])
    assert pattern.search("specs/edges.yaml") and pattern.search("a.yml") and not pattern.search("model.onnx")
