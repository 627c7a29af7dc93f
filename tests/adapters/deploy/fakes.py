"""An in-memory `DeployRepository` for unit tests of the compile pipeline (no git, no disk).

    repo = FakeDeployRepository()
    result = repo.sync(lambda state: Rendered({"plan.json": b"{}"}, "compile\\n\\nEdgec-Version: 0.1.0"))
    assert repo.tree == {"plan.json": b"{}"} and result.commit == repo.head

It applies the same ownership rule as the real adapter (`compiler.adapters.deploy.base.is_managed`); the contract
test in `test_deploy_contract.py` runs one scenario against both. Knobs: `races=n` lands a competing commit before each
of the next n pushes (so `build` is called again on the new head); `fail_with=fail("git-failed", ...)` makes the
next pushes fail like an unreachable remote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from compiler.adapters.deploy.base import (
    CommitInfo,
    DeployState,
    Rendered,
    SyncResult,
    check_relpath,
    check_rendered_files,
    is_managed,
    parse_trailers,
)
from compiler.diagnostics import EdgecError, fail


@dataclass(frozen=True)
class FakeCommit:
    sha: str
    parent: str | None
    files: Mapping[str, bytes]  # the whole repository, paths from its root
    message: str
    author: str = "edgec <edgec@localhost>"

    def info(self) -> CommitInfo:
        return CommitInfo(self.sha, self.author, "2026-12-01T00:00:00+00:00", self.message.split("\n", 1)[0],
                          parse_trailers(self.message))


@dataclass(frozen=True)
class FakeState:
    head: str | None
    files: Mapping[str, bytes]  # relative to the target path
    history: tuple[FakeCommit, ...] = ()  # oldest first, up to `head`
    prefix: str = ""

    def read(self, relpath: str) -> bytes | None:
        return self.files.get(check_relpath(relpath))

    def owned_blobs(self, commit: str | None = None) -> dict[str, str]:
        return {path: "100644 " + hashlib.sha1(data).hexdigest()
                for path, data in self._files_at(commit).items() if is_managed(path)}

    def read_many(self, relpaths: Iterable[str], commit: str | None = None) -> dict[str, bytes]:
        files = self._files_at(commit)
        return {rel: files[rel] for rel in map(check_relpath, relpaths) if rel in files}

    def _files_at(self, commit: str | None) -> Mapping[str, bytes]:
        if commit is None or commit == self.head:
            return self.files
        found = next((c for c in self.history if c.sha == commit), None)
        if found is None:
            return {}
        return {k[len(self.prefix):]: v for k, v in found.files.items() if k.startswith(self.prefix)}

    def last_change(self, relpath: str) -> CommitInfo | None:
        path = self.prefix + check_relpath(relpath)
        for commit in reversed(self.history):
            before = self._parent_files(commit).get(path)
            if commit.files.get(path) != before:
                return commit.info()
        return None

    def last_edgec_commit(self) -> CommitInfo | None:
        return next((c.info() for c in reversed(self.history) if c.info().by_edgec), None)

    def _parent_files(self, commit: FakeCommit) -> Mapping[str, bytes]:
        return next((c.files for c in self.history if c.sha == commit.parent), {})


@dataclass
class FakeDeployRepository:
    path: str = "."
    branch: str = "main"
    url: str = "memory://deploy"
    races: int = 0
    fail_with: EdgecError | None = None
    commits: list[FakeCommit] = field(default_factory=list)  # oldest first
    heads_seen: list[str | None] = field(default_factory=list)  # the head of every `build` call

    @classmethod
    def with_files(cls, files: Mapping[str, bytes], **kwargs: object) -> FakeDeployRepository:
        """A repository that already holds `files` (paths from the repository root), e.g. unmanaged ones."""
        repo = cls(**kwargs)  # type: ignore[arg-type]
        repo._commit(dict(files), "initial")
        return repo

    @property
    def head(self) -> str | None:
        return self.commits[-1].sha if self.commits else None

    @property
    def tree(self) -> dict[str, bytes]:
        return dict(self.commits[-1].files) if self.commits else {}

    @property
    def _prefix(self) -> str:
        return "" if self.path == "." else self.path.rstrip("/") + "/"

    def current(self) -> DeployState:
        p = self._prefix
        return FakeState(self.head, {k[len(p) :]: v for k, v in self.tree.items() if k.startswith(p)},
                         tuple(self.commits), p)

    def sync(self, build: Callable[[DeployState], Rendered], *, max_attempts: int = 5) -> SyncResult:
        p = self._prefix
        for attempt in range(1, max_attempts + 1):
            self.heads_seen.append(self.head)
            rendered = build(self.current())
            check_rendered_files(rendered.files)
            old = self.tree
            check_rendered_files(rendered.kept)
            new = {k: v for k, v in old.items() if not (k.startswith(p) and is_managed(k[len(p) :])
                                                        and not rendered.keeps(k[len(p) :]))}
            new.update({p + k: v for k, v in rendered.files.items()})
            changed = tuple(sorted(k[len(p) :] for k in old.keys() | new.keys() if old.get(k) != new.get(k)))
            if not changed:
                return SyncResult(None, (), attempt, self.branch, self.url)
            if self.fail_with is not None:
                raise self.fail_with
            if self.races > 0:
                self.races -= 1
                self._commit({**old, f"competitor/{len(self.commits)}.txt": b"x"}, "a competing commit")
                continue
            sha = self._commit(new, rendered.message)
            return SyncResult(sha, changed, attempt, self.branch, self.url)
        raise fail("git-failed", f"pushing to {self.url} (branch {self.branch}) was rejected {max_attempts} times")

    def hand_commit(self, files: Mapping[str, bytes | None], message: str = "a hand-made commit") -> str:
        """A commit by someone else: `files` (paths from the repository root) set, or deleted where None."""
        tree = {k: v for k, v in self.tree.items() if files.get(k, v) is not None}
        tree.update({k: v for k, v in files.items() if v is not None})
        return self._commit(tree, message, author="Test Person <test@example.invalid>")

    def _commit(self, files: dict[str, bytes], message: str, author: str = "edgec <edgec@localhost>") -> str:
        digest = hashlib.sha1(repr((self.head, sorted(files.items()), message)).encode()).hexdigest()
        self.commits.append(FakeCommit(digest, self.head, files, message, author))
        return digest
