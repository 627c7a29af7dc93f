"""One scenario against the real adapter and the in-memory fake: the fake other engineers use must not lie."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.adapters.deploy import (
    DeployRepository,
    DeployState,
    DeployTarget,
    GitDeployRepository,
    Rendered,
    SyncResult,
)
from compiler.diagnostics import EdgecError, fail

from .fakes import FakeDeployRepository
from .gitutil import MESSAGE, push_files, tree

V1 = {"edges/a/values.yaml": b"a1\n", "edges/b/values.yaml": b"b1\n", "plan.json": b"1\n"}
V2 = {"edges/a/values.yaml": b"a2\n", "plan.json": b"2\n", "PLAN.md": b"# 2\n"}
UNMANAGED = {"prod/README.md": b"keep\n", "README.md": b"keep too\n"}


def make_git(tmp_path: Path, remote: Path) -> tuple[DeployRepository, Callable[[], dict[str, bytes]]]:
    push_files(remote, UNMANAGED, work=tmp_path)
    repo = GitDeployRepository(DeployTarget(tmp_path / "cache", url=str(remote), path="prod"))
    return repo, lambda: tree(remote)


def make_fake(tmp_path: Path, remote: Path) -> tuple[DeployRepository, Callable[[], dict[str, bytes]]]:
    repo = FakeDeployRepository.with_files(UNMANAGED, path="prod")
    return repo, lambda: repo.tree


def outcome(result: SyncResult) -> tuple[bool, tuple[str, ...], int]:
    return result.changed, result.changed_files, result.attempts


@pytest.mark.parametrize("make", [make_git, make_fake], ids=["git", "fake"])
def test_contract(make: Callable[..., tuple[DeployRepository, Callable[[], dict[str, bytes]]]],
                  tmp_path: Path, remote: Path) -> None:
    repo, files = make(tmp_path, remote)
    assert isinstance(repo, DeployRepository)
    heads: list[str | None] = []

    def render(version: dict[str, bytes]) -> Callable[[DeployState], Rendered]:
        def build(state: DeployState) -> Rendered:
            heads.append(state.head)
            return Rendered(version, MESSAGE)
        return build

    first = repo.sync(render(V1))
    assert outcome(first) == (True, tuple(sorted(V1)), 1)
    assert outcome(repo.sync(render(V1))) == (False, (), 1)
    second = repo.sync(render(V2))
    assert outcome(second) == (True, ("PLAN.md", "edges/a/values.yaml", "edges/b/values.yaml", "plan.json"), 1)
    assert files() == {**UNMANAGED, **{f"prod/{k}": v for k, v in V2.items()}}
    assert heads[1:] == [first.commit, first.commit]
    assert repo.current().head == second.commit and repo.current().read("PLAN.md") == b"# 2\n"
    assert repo.current().read("README.md") == b"keep\n"

    def broken(state: DeployState) -> Rendered:
        raise fail("immutable-changed", "no")

    with pytest.raises(EdgecError):
        repo.sync(broken)
    with pytest.raises(ValueError):
        repo.sync(render({"other/file": b"x"}))
    assert repo.current().head == second.commit


def test_fake_races_and_failures() -> None:
    repo = FakeDeployRepository(races=1)
    result = repo.sync(lambda state: Rendered({"plan.json": b"{}"}, "m"))
    assert result.attempts == 2 and len(repo.commits) == 2 and repo.heads_seen == [None, repo.commits[0].sha]
    with pytest.raises(EdgecError) as info:
        FakeDeployRepository(races=9).sync(lambda state: Rendered({"plan.json": b"{}"}, "m"), max_attempts=3)
    assert info.value.diagnostic.code == "git-failed"
    down = FakeDeployRepository(fail_with=fail("git-failed", "unreachable"))
    with pytest.raises(EdgecError):
        down.sync(lambda state: Rendered({"plan.json": b"{}"}, "m"))
    assert down.commits == []
