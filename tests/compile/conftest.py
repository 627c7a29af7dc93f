"""Spec roots for compile tests: a copy of the example as its own git repository, plus real services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from tests.support.gitenv import hermetic_git  # noqa: F401 - autouse: hermetic git for every test here
from tests.support.registry import RegistryServer, registry_binary

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "house-price"
FLEET = REPO / "examples" / "fleet"


@pytest.fixture(autouse=True)
def _no_credentials(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registry credentials from neither the environment nor the machine's Docker config."""
    monkeypatch.delenv("EDGEC_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("EDGEC_REGISTRY_PASSWORD", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path_factory.mktemp("docker")))


def commit_all(root: Path, message: str = "specs") -> str:
    repo = git.Repo(root)
    repo.git.add(A=True)
    repo.index.commit(message)
    return repo.head.commit.hexsha


def example_repo(example: Path, root: Path) -> Path:
    """A copy of a bundled example as a fresh git repository (not yet committed), `.edgec/` ignored."""
    shutil.copytree(example, root, ignore=shutil.ignore_patterns(".edgec"))
    (root / ".gitignore").write_text(".edgec/\n")
    git.Repo.init(root, initial_branch="main")
    return root


@pytest.fixture
def spec_root(tmp_path: Path) -> Path:
    root = example_repo(EXAMPLE, tmp_path / "specs")
    commit_all(root, "initial specs")
    return root


@pytest.fixture
def fleet_root(tmp_path: Path) -> Path:
    """`examples/fleet` (a roll-out in progress) as a fresh, uncommitted git repository."""
    return example_repo(FLEET, tmp_path / "fleet")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "deploy.git"
    git.Repo.init(path, bare=True, initial_branch="main")
    return path


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RegistryServer]:
    if registry_binary() is None:
        pytest.skip("docker-registry is not installed (bash .ci/run installs it)")
    with RegistryServer(tmp_path / "registry") as server:
        yield server


def configure(root: Path, *, registry: str | None = None, remote: Path | None = None,
              compatibility: str = "BACKWARD") -> None:
    lines = ["apiVersion: edgec.dev/v1", "kind: Config", "spec:", f"  compatibility: {compatibility}"]
    if registry:
        lines += [f"  registry: {registry}", "  insecureRegistry: true"]
    if remote:
        lines += [f"  deployRepo: {{url: {os.fspath(remote)}, branch: main, path: .}}"]
    (root / "edgec.yaml").write_text("\n".join(lines) + "\n")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
