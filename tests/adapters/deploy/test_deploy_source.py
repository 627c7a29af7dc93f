"""source_commit: the spec repository's HEAD, `-dirty` for changes outside `.edgec/`, None outside a repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from compiler.adapters.deploy import source_commit


@pytest.fixture
def spec(tmp_path: Path) -> Iterator[git.Repo]:
    root = tmp_path / "spec"
    repo = git.Repo.init(root, initial_branch="main")
    (root / "models").mkdir()
    (root / "models/m.yaml").write_text("kind: Model\n")
    (root / ".gitignore").write_text("*.log\n")
    repo.git.add("-A")
    repo.git.commit("-q", "-m", "specs")
    yield repo
    repo.close()


def root(repo: git.Repo) -> Path:
    return Path(repo.working_tree_dir or "")


def test_clean(spec: git.Repo) -> None:
    assert source_commit(root(spec)) == spec.head.commit.hexsha


def test_tracked_change_is_dirty(spec: git.Repo) -> None:
    (root(spec) / "models/m.yaml").write_text("kind: Model\nchanged: true\n")
    assert source_commit(root(spec)) == spec.head.commit.hexsha + "-dirty"


def test_staged_change_is_dirty(spec: git.Repo) -> None:
    (root(spec) / "new.yaml").write_text("x: 1\n")
    spec.git.add("new.yaml")
    assert source_commit(root(spec)) == spec.head.commit.hexsha + "-dirty"


def test_untracked_file_is_dirty(spec: git.Repo) -> None:
    (root(spec) / "models/deep").mkdir()
    (root(spec) / "models/deep/new.yaml").write_text("x: 1\n")
    assert source_commit(root(spec)) == spec.head.commit.hexsha + "-dirty"


def test_ignored_files_and_the_edgec_folder_are_not_dirty(spec: git.Repo) -> None:
    (root(spec) / "build.log").write_text("ignored\n")
    (root(spec) / ".edgec/deploy/edges/a").mkdir(parents=True)
    (root(spec) / ".edgec/deploy/edges/a/values.yaml").write_text("untracked but edgec's own\n")
    assert source_commit(root(spec)) == spec.head.commit.hexsha


def test_subfolder_spec_root_only_looks_at_its_own_files(spec: git.Repo) -> None:
    sub = root(spec) / "models"
    (root(spec) / "README.md").write_text("outside the spec root\n")
    assert source_commit(sub) == spec.head.commit.hexsha
    (sub / "other.yaml").write_text("inside\n")
    assert source_commit(sub) == spec.head.commit.hexsha + "-dirty"


def test_not_a_repository(tmp_path: Path) -> None:
    assert source_commit(tmp_path) is None


def test_repository_without_commits(tmp_path: Path) -> None:
    git.Repo.init(tmp_path / "empty", initial_branch="main").close()
    assert source_commit(tmp_path / "empty") is None
