"""`edgec promote`: one line of the spec file changes, the soak is measured from the deployment repository's
commit dates, --force overrides and says so, --to rolls back, and a result that would not validate is refused."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.support.gitenv import hermetic_git  # noqa: F401 - autouse: compile commits to a local git repo

FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet"
EARLY = ["store-south-03", "store-west-01"]

ODD = """\
# yaml-language-server: $schema=../../../schemas/edgec.schema.json
apiVersion: edgec.dev/v1
kind: Publish
metadata: {name: demand-v1}
spec: {pipeline: "store-demand", version: 'v1', deploymentConfig: {engine: {cpus: 2, memory: 2Gi}}}
---

# v2 in waves; odd indentation, quoting and flow style on purpose
apiVersion: "edgec.dev/v1"
kind:   Publish
metadata:
    name: demand-v2      # the challenger
spec:
    pipeline: 'store-demand'
    replaces: [ demand-v1 ]
    version: v2
    deploymentConfig: {engine: {cpus: 2, memory: "2Gi"}}
    rollout:
        promoted: 'canary'   # the canary runs
        waves:
        -   name: canary
            selector: {matchLabels: {ring: "canary"}}
        # between waves
        -   {name: early, selector: {percent: 50}, soak: 1d}

        -   name: rest     # everyone else
        coverage: [ hw ]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "fleet"
    shutil.copytree(FLEET, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit code, stdout, and everything printed (diagnostics go to stdout, notes to stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.out + captured.err


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def where(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run(capsys, "plan", "--root", str(root), "--format", "json", "--offline")
    assert code == 0
    return {e["name"]: e["publish"] for e in json.loads(out)["edges"]}


def test_a_file_full_of_comments_and_odd_formatting_changes_in_exactly_one_line(root: Path, capsys) -> None:
    publishes = root / "specs" / "publishes.yaml"
    publishes.write_text(ODD)
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root))
    assert code == 0, err
    assert changed_lines(ODD, publishes.read_text()) == [
        ("        promoted: 'canary'   # the canary runs\n", "        promoted: 'early'   # the canary runs\n")]
    assert "promoted to wave 'early' (moves early)" in err
    assert sorted(e for e, p in where(root, capsys).items() if p == "demand-v2") == \
        ["store-north-01", "store-south-01", *EARLY]


def test_an_absent_promoted_key_is_added_as_one_line_in_block_and_flow_style(root: Path, capsys) -> None:
    publishes = root / "specs" / "publishes.yaml"
    block = ODD.replace("        promoted: 'canary'   # the canary runs\n", "")
    publishes.write_text(block)
    assert run(capsys, "promote", "demand-v2", "--root", str(root))[0] == 0
    after = publishes.read_text()
    assert after == block.replace("        waves:\n", "        promoted: canary\n        waves:\n", 1)
    flow = ODD.split("---\n")[0] + "---\n" + (
        "apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: demand-v2}\n"
        "spec: {pipeline: store-demand, version: v2, replaces: [demand-v1],\n"
        "  rollout: {waves: [{name: canary, selector: {matchLabels: {ring: canary}}}, {name: rest}]}}  # flow\n")
    publishes.write_text(flow)
    assert run(capsys, "promote", "demand-v2", "--root", str(root))[0] == 0
    assert changed_lines(flow, publishes.read_text()) == [(
        "  rollout: {waves: [{name: canary, selector: {matchLabels: {ring: canary}}}, {name: rest}]}}  # flow\n",
        "  rollout: {promoted: canary, waves: [{name: canary, selector: {matchLabels: {ring: canary}}}, "
        "{name: rest}]}}  # flow\n")]


def _date_deploy_head(root: Path, seconds_ago: int) -> None:
    """Re-date the deployment repository's last commit (its message and trailers kept)."""
    deploy = root / ".edgec" / "deploy"
    stamp = f"@{int(time.time()) - seconds_ago} +0000"
    env = {**os.environ, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
    subprocess.run(["git", "-C", str(deploy), "commit", "-q", "--amend", "--no-edit", "--allow-empty"],
                   check=True, env=env)


def test_soak_is_measured_from_the_deployment_commit_that_moved_the_wave(root: Path, capsys) -> None:
    publishes = root / "specs" / "publishes.yaml"
    before = publishes.read_text()
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root))
    assert code == 1 and "error[soak-pending]" in err and "has not reached the deployment repository" in err
    assert "specs/publishes.yaml:33:15" in err  # at `promoted`
    assert run(capsys, "compile", "--root", str(root), "-q")[0] == 0
    message = subprocess.run(["git", "-C", str(root / ".edgec" / "deploy"), "log", "-1", "--format=%B"],
                             check=True, capture_output=True, text=True).stdout
    assert "Edgec-Wave-Moved: demand-v2/canary" in message and "- wave canary of demand-v2 moves" in message

    _date_deploy_head(root, 3600)
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root))
    assert code == 1
    assert re.search(r"has run 1h\w* of its 2h soak since deployment commit [0-9a-f]{12}; (59m\w*|1h) left", err)
    assert publishes.read_text() == before

    _date_deploy_head(root, 2 * 3600 + 60)
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root))
    assert code == 0, err
    assert changed_lines(before, publishes.read_text()) == [("    promoted: canary\n", "    promoted: early\n")]
    assert "--force" not in err


def test_force_overrides_the_soak_and_says_so(root: Path, capsys) -> None:
    assert run(capsys, "compile", "--root", str(root), "-q")[0] == 0
    assert run(capsys, "promote", "demand-v2", "--root", str(root))[0] == 1
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root), "--force", "-q")
    assert code == 0
    assert "warning: --force overrides the soak: wave 'canary' has run" in err
    assert "promoted: early" in (root / "specs" / "publishes.yaml").read_text()


def test_to_an_earlier_wave_rolls_the_later_waves_back(root: Path, capsys) -> None:
    assert run(capsys, "promote", "demand-v2", "--root", str(root), "--to", "rest", "--force", "-q")[0] == 0
    assert set(where(root, capsys).values()) == {"demand-v2"}
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root), "--to", "canary")
    assert code == 0 and "rolls back early, rest" in err
    placed = where(root, capsys)
    assert sorted(e for e, p in placed.items() if p == "demand-v2") == ["store-north-01", "store-south-01"]
    assert run(capsys, "promote", "demand-v2", "--root", str(root), "--to", "canary")[0] == 0  # already there
    code, _, err = run(capsys, "promote", "demand-v2", "--root", str(root), "--to", "carnary")
    assert code == 2 and "did you mean 'canary'" in err


def test_a_result_that_would_not_validate_is_refused_and_nothing_is_written(root: Path, capsys) -> None:
    """demand-v1's engine is arm, so its stores are arm devices; promoting them to v2 (x86) cannot run."""
    publishes = root / "specs" / "publishes.yaml"
    publishes.write_text(publishes.read_text().replace("engine: {cpus: 2, memory: 2Gi}\n---",
                                                       "engine: {cpus: 2, memory: 2Gi, arch: arm}\n---", 1))
    edges = root / "specs" / "edges.yaml"
    documents = edges.read_text().split("\n---\n")
    edges.write_text("\n---\n".join(
        doc if "ring: canary" in doc else doc.replace("  publish: demand-v1\n", "  publish: demand-v1\n  arch: arm\n")
        for doc in documents))
    assert run(capsys, "validate", "--root", str(root), "-q")[0] == 0
    before = (publishes.read_text(), edges.read_text())
    code, out, err = run(capsys, "promote", "demand-v2", "--root", str(root), "--force")
    assert code == 1
    assert "arch-mismatch" in out + err and "not written" in err
    assert (publishes.read_text(), edges.read_text()) == before
    assert not [p for p in (root / "specs").iterdir() if p.name.startswith(".")]  # no temporary file left
