"""Without a usable git executable GitPython fails at import time: edgec says `git-failed` (exit 3), never
'internal error', and `--format json` still prints its document on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "house-price"


def _edgec(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args, "--root", str(root)], capture_output=True,
                          text=True, env={**env, "PYTHONPATH": str(REPO), "HOME": str(root.parent)}, timeout=120,
                          check=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


NO_GIT = {
    "git executable pointing nowhere": {"PATH": os.environ.get("PATH", ""),
                                        "GIT_PYTHON_GIT_EXECUTABLE": "/nonexistent/git"},
    "no git on PATH": {"PATH": "/nonexistent"},
}


@pytest.mark.parametrize("env", NO_GIT.values(), ids=NO_GIT.keys())
def test_compile_json_reports_git_failed(root: Path, env: dict[str, str]) -> None:
    done = _edgec(root, env, "compile", "--format", "json")
    assert done.returncode == 3, done.stderr
    document = json.loads(done.stdout)
    (diagnostic,) = document["diagnostics"]
    assert diagnostic["code"] == "git-failed" and "git" in diagnostic["hint"]
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("env", NO_GIT.values(), ids=NO_GIT.keys())
def test_plan_text_reports_git_failed(root: Path, env: dict[str, str]) -> None:
    done = _edgec(root, env, "plan")
    assert done.returncode == 3
    assert "git-failed" in done.stderr and "cannot use git" in done.stderr
    assert "internal error" not in done.stderr


def test_plan_offline_and_validate_need_no_git(root: Path) -> None:
    env = {"PATH": "/nonexistent"}
    assert _edgec(root, env, "plan", "--offline").returncode == 0
    assert _edgec(root, env, "validate").returncode == 0
