"""What a sync writes and stages on real git: nothing for an unchanged tree, only the changed files otherwise."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from compiler.adapters.deploy import DeployTarget, GitDeployRepository

from .gitutil import build, history, tree


def fleet(edges: int, *, moved: str | None = None) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for e in range(edges):
        publish = "pub-2" if f"e{e}" == moved else "pub-1"
        for name in ("values.yaml", "application.yaml", "helmrelease.yaml"):
            files[f"edges/e{e}/{name}"] = f"edge: e{e}\nfile: {name}\npublish: {publish}\n".encode()
    summary = f"moved: {moved}\n".encode()
    files.update({"plan.json": b"{" + summary + b"}\n", "PLAN.md": b"# Plan\n" + summary,
                  "edgec.lock.json": b"{}\n"})
    return files


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, inode) of every file outside `.git`: a rewritten file gets a new mtime (and, if replaced, inode)."""
    found = {}
    for parent, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            stat = os.lstat(os.path.join(parent, name))
            found[os.path.relpath(os.path.join(parent, name), folder)] = (stat.st_mtime_ns, stat.st_ino)
    return found


def committed_paths(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "show", "--name-only", "--format=", "--no-renames", "HEAD"],
                         check=True, capture_output=True, text=True).stdout
    return sorted(p for p in out.splitlines() if p)


@pytest.fixture
def local(tmp_path: Path) -> GitDeployRepository:
    return GitDeployRepository(DeployTarget(cache_dir=tmp_path / "deploy"))


def test_an_unchanged_tree_writes_nothing_and_commits_nothing(local: GitDeployRepository) -> None:
    workdir = local.target.cache_dir
    first = local.sync(build(fleet(20)))
    before = stamps(workdir)
    again = local.sync(build(fleet(20)))
    assert again.commit is None and again.changed_files == ()
    assert stamps(workdir) == before  # no file rewritten
    assert [c.hexsha for c in history(workdir)] == [first.commit]


def test_one_edge_changed_writes_and_commits_only_its_files_and_the_root_files(local: GitDeployRepository) -> None:
    workdir = local.target.cache_dir
    local.sync(build(fleet(20)))
    before = stamps(workdir)
    result = local.sync(build(fleet(20, moved="e7")))
    expected = ["PLAN.md", "edges/e7/application.yaml", "edges/e7/helmrelease.yaml", "edges/e7/values.yaml",
                "plan.json"]
    assert list(result.changed_files) == expected
    assert committed_paths(workdir) == expected
    after = stamps(workdir)
    assert sorted(path for path in after if after[path] != before.get(path)) == expected
    assert tree(workdir) == fleet(20, moved="e7")


def test_a_removed_edge_loses_its_files_and_folder_and_nothing_else_moves(local: GitDeployRepository) -> None:
    workdir = local.target.cache_dir
    local.sync(build(fleet(5)))
    before = stamps(workdir)
    files = {k: v for k, v in fleet(5).items() if not k.startswith("edges/e3/")}
    result = local.sync(build(files))
    assert list(result.changed_files) == [f"edges/e3/{n}" for n in ("application.yaml", "helmrelease.yaml",
                                                                   "values.yaml")]
    assert not (workdir / "edges" / "e3").exists()
    assert stamps(workdir) == {k: v for k, v in before.items() if not k.startswith("edges/e3/")}
    assert tree(workdir) == files


def test_a_file_replaced_by_a_folder_and_a_symlink_replaced_by_a_file(local: GitDeployRepository,
                                                                    tmp_path: Path) -> None:
    workdir = local.target.cache_dir
    local.sync(build({"edges/x": b"a file\n", "plan.json": b"{}\n"}))
    (workdir / "edges" / "y").symlink_to("../plan.json")
    subprocess.run(["git", "-C", str(workdir), "add", "edges/y"], check=True)
    subprocess.run(["git", "-C", str(workdir), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "link"],
                   check=True)
    result = local.sync(build({"edges/x/values.yaml": b"now a folder\n", "edges/y": b"plan.json\n",
                               "plan.json": b"{}\n"}))
    assert set(result.changed_files) == {"edges/x", "edges/x/values.yaml", "edges/y"}
    assert tree(workdir) == {"edges/x/values.yaml": b"now a folder\n", "edges/y": b"plan.json\n",
                             "plan.json": b"{}\n"}
    assert not (workdir / "edges" / "y").is_symlink()


def test_no_automatic_gc_inside_a_compile(local: GitDeployRepository) -> None:
    local.sync(build(fleet(2)))
    config = subprocess.run(["git", "-C", str(local.target.cache_dir), "config", "--local", "--get", "gc.auto"],
                            check=True, capture_output=True, text=True).stdout.strip()
    assert config == "0"
