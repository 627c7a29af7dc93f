"""The Markdown plan (a pull-request comment): user text escaped, the comparison shown, errors on invalid specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.cli.main import main
from compiler.report.plan_markdown import escape
from tests.support.gitenv import hermetic_git  # noqa: F401 - autouse: plan and compile use a local git repo
from tests.support_cases import materialise

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"


def test_escape_leaves_no_markup() -> None:
    assert escape("a *b* [c](http://x) <img src=x> @team | `d`\n# e") == (
        r"a \*b\* \[c\]\(http://x\) &lt;img src=x&gt; &#64;team \| \`d\` \# e")


def test_invalid_specs_show_their_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "unknown-reference", tmp_path)
    assert main(["plan", "--root", str(root), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert "**The specs are invalid: 3 error(s)" in out and "edge moves" not in out
    assert "- `specs/edge.yaml:6:12` error\\[unknown-reference\\] publish 'pubb' not found (hint: did you mean " \
           "'pub'?)" in out


def test_the_comparison_with_the_deployment_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "specs"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".edgec"))
    assert main(["plan", "--root", str(root), "--format", "markdown"]) == 0
    assert "Nothing is deployed yet" in capsys.readouterr().out
    assert main(["compile", "--root", str(root), "-q"]) == 0
    capsys.readouterr()
    assert main(["plan", "--root", str(root), "--format", "markdown"]) == 0
    assert "No changes against the deployment repository." in capsys.readouterr().out
