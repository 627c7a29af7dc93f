"""What the compile pipeline sees of the deployment repository: values, a Protocol and the ownership rule.

Nothing here touches git, so the pipeline and its unit tests can import it without loading GitPython.

Ownership: inside the configured `path` of the deployment repository edgec owns `edges/**` and the root files
in `MANAGED_ROOT_FILES`. A sync writes exactly the rendered files there and deletes every other file it owns
(the files of removed edges). Anything else in the repository (a README, other teams' folders, files next to
`path`) is never written, deleted or committed by edgec.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

#: Root files of the rendered tree that edgec owns (relative to the target `path`).
MANAGED_ROOT_FILES: frozenset[str] = frozenset({"plan.json", "PLAN.md", "edgec.lock.json",
                                                "applicationset.yaml"})
#: Folder of the rendered tree that edgec owns entirely (relative to the target `path`).
MANAGED_DIR = "edges"


def is_managed(relpath: str) -> bool:
    """True for a path (relative to the target `path`) that edgec writes and may delete.

    `edges` itself counts: a file or symlink sitting where edgec's folder goes is edgec's to replace.
    """
    return relpath in MANAGED_ROOT_FILES or relpath == MANAGED_DIR or relpath.startswith(MANAGED_DIR + "/")


def check_relpath(relpath: str) -> str:
    """A clean POSIX path that stays inside its folder; ValueError otherwise (a caller bug, not a user error)."""
    norm = posixpath.normpath(relpath) if relpath else ""
    if (
        not relpath
        or norm != relpath
        or relpath.startswith("/")
        or "\\" in relpath
        or "\0" in relpath
        or any(part in ("..", ".git") for part in relpath.split("/"))
    ):
        raise ValueError(f"not a clean relative path: {relpath!r}")
    return relpath


def check_rendered_files(files: Iterable[str]) -> None:
    """Every rendered path must be clean and owned by edgec, so that a later sync can delete it again."""
    for name in files:
        check_relpath(name)
        if not is_managed(name) or name == MANAGED_DIR:
            raise ValueError(
                f"rendered file {name!r} is outside what edgec owns ({MANAGED_DIR}/** and "
                f"{', '.join(sorted(MANAGED_ROOT_FILES))})"
            )


# ------------------------------------------------------------------------------------------------ values
@dataclass(frozen=True)
class CommitInfo:
    """Who made a commit of the deployment repository, when and why (for drift and invalid-record messages)."""

    sha: str
    author: str  # "Name <email>"
    date: str  # the author date, ISO 8601
    subject: str
    trailers: Mapping[str, str] = field(default_factory=dict)

    @property
    def by_edgec(self) -> bool:
        """Every commit edgec makes carries an `Edgec-Version` trailer; hand commits do not."""
        return "Edgec-Version" in self.trailers

    def describe(self) -> str:
        """`commit 1a2b3c4d5e6f by Jane <jane@example.org>, 2026-12-01T10:00:00+00:00: "hot fix"`"""
        return f'commit {self.sha[:12]} by {self.author}, {self.date}: "{self.subject}"'


@runtime_checkable
class DeployState(Protocol):
    """The deployment repository at one commit, as the renderer sees it (paths relative to the target `path`)."""

    @property
    def head(self) -> str | None:
        """The commit the next commit will follow; None when the branch does not exist yet."""
        ...

    def read(self, relpath: str) -> bytes | None:
        """A file's content at `head`, or None when it does not exist (or is not a file)."""
        ...

    def owned_blobs(self, commit: str | None = None) -> Mapping[str, str]:
        """Every file edgec owns (see `is_managed`) at `commit` (default `head`) with its git object id (prefixed
        by its mode, so a symlink and a file of the same bytes differ); {} when there is no such commit. Read
        from the tree objects alone: no file content is read."""
        ...

    def read_many(self, relpaths: Iterable[str], commit: str | None = None) -> dict[str, bytes]:
        """The content of each of `relpaths` that is an owned file at `commit` (default `head`), in one pass."""
        ...

    def last_change(self, relpath: str) -> CommitInfo | None:
        """The newest commit up to `head` that added, modified or deleted `relpath`; None if none did."""
        ...

    def last_edgec_commit(self) -> CommitInfo | None:
        """The newest commit up to `head` that edgec made (it carries the `Edgec-Version` trailer)."""
        ...


@dataclass(frozen=True)
class Rendered:
    """What one compile wants the managed part of the deployment repository to be."""

    files: Mapping[str, bytes]  # relative to the target `path`; only managed paths
    message: str  # the full commit message, trailers included (see `commit_trailers`)
    #: Managed folders (`edges/<edge>`) whose files stay exactly as they are at the head: not rendered, so
    #: neither written nor deleted (an unchanged edge of a large fleet costs nothing).
    kept: frozenset[str] = frozenset()

    def keeps(self, relpath: str) -> bool:
        """True for an owned file that lies directly in a kept folder."""
        return relpath.rpartition("/")[0] in self.kept


@dataclass(frozen=True)
class SyncResult:
    commit: str | None  # the new commit, None when nothing changed
    changed_files: tuple[str, ...]  # added, modified or deleted; relative to the target `path`; sorted
    attempts: int  # how many times `build` was called
    branch: str
    url: str  # credential-free remote URL, or the local repository's folder

    @property
    def changed(self) -> bool:
        return self.commit is not None


#: How the spec commit of the deployment relates to a compile's own spec commit (`SourceHistory.relation`).
SourceRelation = Literal["same", "ancestor", "descendant", "unrelated", "unknown"]


class SourceHistory(Protocol):
    """The spec repository's history, which orders compiles of different spec commits."""

    def relation(self, deployed: str, ours: str) -> SourceRelation:
        """`ancestor`: `deployed` is an ancestor of `ours`; `descendant`: it descends from `ours`; `unrelated`:
        neither; `unknown`: `deployed` is not in this repository (a shallow clone, or another repository)."""
        ...


@runtime_checkable
class DeployRepository(Protocol):
    """The deployment repository as the compile pipeline uses it. Implemented by `GitDeployRepository`."""

    def current(self) -> DeployState:
        """The branch head as it is now (for `edgec plan`); never writes to the deployment repository."""
        ...

    def sync(self, build: Callable[[DeployState], Rendered], *, max_attempts: int = 5) -> SyncResult:
        """Make the managed files equal `build(state).files` in at most one new commit on the branch.

        `build` is called with the current head and again with the new head each time a concurrent
        push wins the race; an exception from `build` propagates and nothing is committed or pushed.
        Environment failures raise `fail("git-failed", ...)`.
        """
        ...


# ------------------------------------------------------------------------------------------------ messages
_TRAILER_VALUE = re.compile(r"^[^\r\n]+$")


def parse_trailers(message: str) -> dict[str, str]:
    """The `Key: value` lines of a commit message's last paragraph (edgec's own trailers are one-line values)."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if not paragraphs:
        return {}
    out: dict[str, str] = {}
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", key):
            out.setdefault(key, value.strip())
    return out


def commit_trailers(source_commit: str | None, version: str) -> str:
    """The git trailer lines edgec puts at the end of every deployment commit message.

    The caller appends them as the message's last paragraph (after a blank line), where
    `git interpret-trailers` and `git log --format=%(trailers)` find them. Without a source commit (the spec
    root is not a git repository) the `Source-Commit` trailer is left out rather than filled with a placeholder.
    """
    lines = []
    if source_commit is not None:
        lines.append(("Source-Commit", source_commit))
    lines.append(("Edgec-Version", version))
    for key, value in lines:
        if not _TRAILER_VALUE.match(value) or value != value.strip():
            raise ValueError(f"invalid {key} trailer value {value!r}")
    return "\n".join(f"{key}: {value}" for key, value in lines)


# scheme://user:password@host or scheme://token@host (http, https, ftp): the userinfo is a credential.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]*)@")
# git's scp form `user:token@host:path`: a colon inside the userinfo means a password follows it.
_SCP_USERINFO = re.compile(
    r"(?<![\w.+~%/:@-])[A-Za-z0-9._~%+-]+:[^\s@/'\"]+@(?P<host>[A-Za-z0-9.-]+|\[[^\]\s]+\]):")


def redact_url(text: str) -> str:
    """Strip credentials from every URL in `text` (both `scheme://` and scp forms); an ssh user name without a
    password is kept."""

    def repl(m: re.Match[str]) -> str:
        scheme, userinfo = m["scheme"], m["userinfo"]
        if ":" in userinfo or not scheme.lower().startswith("ssh"):
            return scheme
        return m.group(0)

    return _SCP_USERINFO.sub(lambda m: m["host"] + ":", _USERINFO.sub(repl, text))

