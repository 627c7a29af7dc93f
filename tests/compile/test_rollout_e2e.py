"""A staged roll-out end to end, on the real registry and a real bare remote: compile with the canary promoted,
promote, compile again; the second commit moves exactly the next wave's edges and records the wave."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from compiler.cli.main import main
from tests.compile.conftest import commit_all, configure
from tests.support.registry import RegistryServer

CANARY = ["store-north-01", "store-south-01"]
EARLY = ["store-south-03", "store-west-01"]


def _compile(root: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["compile", "--root", str(root), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out["diagnostics"]
    return out


def _edges_in(commit: git.Commit) -> set[str]:
    """Edges whose files the commit changes (against its parent)."""
    parent = commit.parents[0]
    return {Path(d.a_path or d.b_path).parts[1] for d in parent.diff(commit)
            if (d.a_path or d.b_path).startswith("edges/")}


def test_promoting_the_next_wave_moves_exactly_its_edges(fleet_root: Path, remote: Path, registry: RegistryServer,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    configure(fleet_root, registry=f"{registry.registry}/edge", remote=remote)
    commit_all(fleet_root, "fleet with the canary promoted")
    _compile(fleet_root, capsys)
    (first,) = git.Repo(remote).iter_commits("main")
    assert "Edgec-Wave-Moved: demand-v2/canary" in first.message
    records = [json.loads(blob.data_stream.read()) for blob in first.tree["edges"].traverse()
               if blob.type == "blob" and blob.name == "plan.json"]
    assert sorted(e["name"] for e in records if e["publish"] == "demand-v2") == CANARY

    assert main(["promote", "demand-v2", "--root", str(fleet_root)]) == 1  # the canary's 2h soak has not passed
    assert "soak-pending" in capsys.readouterr().out
    assert main(["promote", "demand-v2", "--root", str(fleet_root), "--force"]) == 0
    assert "--force overrides the soak" in capsys.readouterr().err
    commit_all(fleet_root, "promote demand-v2 to early")
    _compile(fleet_root, capsys)

    second, before = list(git.Repo(remote).iter_commits("main"))[:2]
    assert before == first
    assert _edges_in(second) == set(EARLY)
    assert "- wave early of demand-v2 moves" in second.message
    assert "Edgec-Wave-Moved: demand-v2/early" in second.message
    assert "Edgec-Wave-Moved: demand-v2/canary" not in second.message
    plan = json.loads(second.tree["plan.json"].data_stream.read())
    (rollout,) = plan["rollouts"]
    assert [(w["name"], w["state"]) for w in rollout["waves"]] == [("canary", "moved"), ("early", "moved"),
                                                                    ("rest", "next")]
    application = second.tree[f"edges/{EARLY[0]}/application.yaml"].data_stream.read().decode()
    assert "edgec.dev/wave: early" in application

    # the plan now reads the soak of `early` from the remote's history
    assert main(["plan", "--root", str(fleet_root), "--format", "json"]) == 0
    waves = json.loads(capsys.readouterr().out)["rollouts"][0]["waves"]
    assert waves[1]["movedBy"]["commit"] == second.hexsha and 0 < waves[1]["soakLeft"] <= 86400
