"""The deployment repository grows with the change, not with the fleet: on generated fleets of a few hundred edges
(real git, local deployment repository), a one-edge change renders, writes and commits only that edge's files and
the root files, the root files' size does not follow the number of edges, and an unchanged recompile renders no
edge, writes no file and makes no commit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import git
import pytest

from bench.fleet import FleetShape, write_fleet
from bench.generate_specs import CONFIG
from compiler.cli.main import main
from compiler.compile.compose import real_adapters
from compiler.compile.stages import CompileResult, compile_specs

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
    # the message names each replacement's edges by count once there are many: it does not grow with the fleet
    assert "- c1-p1 replaces c1-p0 (version-update: c1-s0 v1 -> c1-s0 v2): " in commit.message
    assert all(line.endswith(" edges") for line in commit.message.splitlines() if " replaces " in line)


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


def _snapshot(tree: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, inode) of every file of the deployment checkout outside `.git`."""
    return {str(p.relative_to(tree)): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in tree.rglob("*") if p.is_file() and ".git" not in p.relative_to(tree).parts}


def _compile_api(root: Path) -> CompileResult:
    result = compile_specs(root, adapters=real_adapters({}), source_commit=None)
    assert result.build.ok, result.diagnostics
    return result


def test_an_unchanged_recompile_renders_writes_and_commits_nothing(tmp_path: Path) -> None:
    root = _fleet(tmp_path / "fleet", 300)
    first = _compile_api(root)
    assert first.sync is not None and first.sync.changed and not first.build.kept
    checkout = root / ".edgec" / "deploy"
    head, before = _deploy(root).head.commit.hexsha, _snapshot(checkout)

    again = _compile_api(root)
    assert again.sync is not None and not again.sync.changed and again.sync.changed_files == ()
    assert _deploy(root).head.commit.hexsha == head
    assert _snapshot(checkout) == before  # not one file rewritten
    assert again.build.kept == {f"edges/edge-{n}" for n in range(300)}  # no edge rendered again
    assert sorted(again.build.files) == sorted(ROOT_FILES)


def test_a_one_edge_change_renders_and_stages_only_that_edge(tmp_path: Path) -> None:
    root = _fleet(tmp_path / "fleet", 300)
    _compile_api(root)
    checkout = root / ".edgec" / "deploy"
    before = _snapshot(checkout)
    _move(root, "edge-77")
    result = _compile_api(root)
    assert result.sync is not None and result.changes is not None
    assert [e for e, _, _ in result.changes.edges_moved] == ["edge-77"]
    assert {path.rpartition("/")[0] for path in result.build.files if path.startswith("edges/")} == {"edges/edge-77"}
    after = _snapshot(checkout)
    rewritten = sorted(path for path in after if before.get(path) != after[path])
    assert rewritten == sorted([*(f"edges/edge-77/{name}" for name in
                                  ("application.yaml", "helmrelease.yaml", "plan.json", "values.yaml")),
                                "PLAN.md", "plan.json"])
    assert list(result.sync.changed_files) == rewritten


def test_an_edge_edited_by_hand_is_rendered_again_and_restored(tmp_path: Path) -> None:
    root = _fleet(tmp_path / "fleet", 200)
    _compile_api(root)
    repo = _deploy(root)
    values = Path(repo.working_tree_dir or "") / "edges" / "edge-9" / "values.yaml"
    rendered = values.read_bytes()
    values.write_bytes(rendered + b"replicas: 5\n")
    repo.git.commit("-qam", "hot fix", env={"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                                             "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
    result = _compile_api(root)
    assert [(d.kind, d.subject) for d in result.drift] == [("edited", "edges/edge-9/values.yaml")]
    assert "edges/edge-9" not in result.build.kept and len(result.build.kept) == 199
    assert result.sync is not None and result.sync.changed_files == ("edges/edge-9/values.yaml",)
    assert values.read_bytes() == rendered
