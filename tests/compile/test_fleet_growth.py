"""The deployment repository grows with the change, not with the fleet: on generated fleets of a few hundred edges
(real git, local deployment repository), a one-edge change commits only that edge's files and the root files, and
the root files' size does not follow the number of edges."""

from __future__ import annotations

import json
import re
from pathlib import Path

import git
import pytest

from bench.fleet import FleetShape, write_fleet
from bench.generate_specs import CONFIG
from compiler.cli.main import main

ROOT_FILES = ("PLAN.md", "edgec.lock.json", "plan.json")
PUBLISHES = 20  # two chains of ten


def _fleet(root: Path, edges: int) -> Path:
    write_fleet(root, FleetShape(edges=edges, publishes=PUBLISHES, chain_length=10))
    (root / "edgec.yaml").write_text(CONFIG)
    return root


def _compile(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", "--root", str(root), "-q"]) == 0, capsys.readouterr()


def _deploy(root: Path) -> git.Repo:
    return git.Repo(root / ".edgec" / "deploy")


def _root_bytes(repo: git.Repo) -> int:
    tree = repo.head.commit.tree
    return sum(tree[name].size for name in ROOT_FILES)


def _move(root: Path, edge: str) -> None:
    """Point `edge` at the first publish of the other chain (within its chain it would follow to the head)."""
    pattern = re.compile(r'("name": "' + edge + r'"\}, "spec": \{"publish": ")c(\d+)-p\d+"')
    for path in sorted(root.glob("fleet-*.yaml")):
        text = path.read_text()
        match = pattern.search(text)
        if match:
            other = f'{match.group(1)}c{1 - int(match.group(2))}-p0"'
            path.write_text(text[:match.start()] + other + text[match.end():])
            return
    raise AssertionError(f"{edge} not in the fleet")


def test_a_one_edge_commit_touches_that_edge_and_the_root_files(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = _fleet(tmp_path / "fleet", 300)
    _compile(root, capsys)
    repo = _deploy(root)
    first = repo.head.commit.hexsha
    _move(root, "edge-123")
    _compile(root, capsys)
    commit = repo.head.commit
    assert commit.parents[0].hexsha == first
    touched = sorted(commit.stats.files)
    edge_files = sorted(f"edges/edge-123/{name}" for name in
                        ("application.yaml", "helmrelease.yaml", "plan.json", "values.yaml"))
    assert touched == sorted([*edge_files, "PLAN.md", "plan.json"])
    record = json.loads(commit.tree["edges/edge-123/plan.json"].data_stream.read())
    assert record["name"] == "edge-123" and record["publish"] == "c0-p9"  # from chain 1 to chain 0's head
    assert "edge-1\"" not in commit.tree["plan.json"].data_stream.read().decode()


def test_the_root_files_do_not_grow_with_the_edges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = {}
    for edges in (200, 600):
        root = _fleet(tmp_path / f"fleet-{edges}", edges)
        _compile(root, capsys)
        repo = _deploy(root)
        sizes[edges] = _root_bytes(repo)
        assert len([p for p in repo.git.ls_files().splitlines() if p.startswith("edges/")]) == edges * 4
    # three times the edges, the same publishes: only digits of counts may differ
    assert sizes[600] / sizes[200] < 1.01, sizes
