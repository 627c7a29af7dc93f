"""The deployment repository through GitPython: the one module of edgec that imports `git`.

Every GitPython or OS failure is translated here into `fail("git-failed" | "io-error", ...)` with git's stderr
summarised and credentials stripped, so callers never see a GitPython exception or a traceback.

How a sync works (remote mode): fetch the branch into a private clone, hard-reset the clone to the remote head,
let the caller render on top of it, write the managed files, commit once, push. A push the remote rejects as
non-fast-forward means another compile won the race: fetch again, reset, render again on the new head and retry.
The remote only ever receives fast-forward pushes, so no update is lost; a failure before the push leaves it
untouched. Local mode is the same without fetch and push.

The clone is partial and starts shallow: every fetch asks for no blobs (`--filter=blob:none`; the blobs of the
fetched head are then fetched in one batch, since edgec reads and checks out exactly those), and the first fetch
takes only the head commit (`--depth=1`); later fetches bring the new commits on top. What reads history deepens
on demand: the last commit that changed a file or the last edgec commit (drift, `lock-invalid`, source order)
fetch more commits (1, 2, 4, ... deeper) until the answer no longer depends on the shallow boundary, and the soak
times of roll-outs (`history.py`) fetch the whole commit history first. Commits and trees are enough for all of
them; historical blobs are never needed. A remote that does not allow filters (`uploadpack.allowFilter`) sends
blobs anyway, and the result is the same.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import git
from git.exc import GitCommandError, GitCommandNotFound, GitError, InvalidGitRepositoryError, NoSuchPathError

from compiler.diagnostics import EdgecError, fail

from .base import (
    MANAGED_DIR,
    MANAGED_ROOT_FILES,
    CommitInfo,
    DeployState,
    Rendered,
    SourceRelation,
    SyncResult,
    check_relpath,
    check_rendered_files,
    commit_trailers,
    is_managed,
    parse_trailers,
    redact_url,
)
from .lock import folder_lock
from .target import DeployTarget

__all__ = ["DeployTarget", "GitDeployRepository", "GitSourceHistory", "commit_trailers", "source_commit"]

_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
_FILTER = "blob:none"  # the partial clone's filter: commits and trees, blobs only as needed
_CREDENTIALS_HINT = (
    "check the URL, the network and git's own credential setup (credential helper or SSH key); edgec never prompts"
)
# Progress, advice and lines that repeat what the diagnostic already says.
_NOISE = ("Enumerating", "Counting", "Compressing", "Writing objects", "Total", "Delta", "remote: Resolv", "hint:",
          "To ", "Done", "! [", "error: failed to push some refs")


# ------------------------------------------------------------------------------------------------ errors
def _summarise(stderr: str | bytes | None, first: list[str] | None = None) -> str:
    """git's stderr in one line: `first`, then errors, then the rest (hook output); no noise, no credentials."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else (stderr or "")
    wrapped = re.fullmatch(r"\s*stderr: '(.*)'\s*", text, flags=re.DOTALL)  # GitCommandError.stderr's framing
    if wrapped:
        text = wrapped.group(1)
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and line != "remote:" and not line.startswith(_NOISE)]
    errors = [line for line in lines if "error:" in line or "fatal:" in line]
    kept: list[str] = []
    for line in [*(first or []), *errors, *lines]:
        if line not in kept:
            kept.append(line[:300])
    return redact_url("; ".join(kept[:6])) or "git gave no reason"


@contextmanager
def _translated(action: str, *, hint: str | None = None) -> Iterator[None]:
    """Turn GitPython and OS failures inside the block into one `EdgecError` (exit code 3)."""
    try:
        yield
    except GitCommandNotFound:
        raise fail("git-failed", f"{action}: the git executable was not found", hint="install git") from None
    except GitCommandError as exc:
        seconds = _timed_out(exc.stderr)
        if seconds:
            raise fail("git-failed", f"{action}: timed out after {seconds} s with no answer",
                       hint="check the network and that the host is up; deployRepo.timeout sets the limit") from None
        raise fail("git-failed", f"{action}: {_summarise(exc.stderr)}", hint=hint) from None
    except GitError as exc:
        raise fail("git-failed", f"{action}: {redact_url(f'{type(exc).__name__}: {exc}')}", hint=hint) from None
    except OSError as exc:
        where = f" ({redact_url(str(exc.filename))})" if exc.filename else ""
        raise fail("io-error", f"{action}: {exc.strerror or exc}{where}") from None


_TIMEOUT = re.compile(r"Timeout: the command .* did not complete in ([0-9.]+) secs", re.DOTALL)


def _timed_out(stderr: str | bytes | None) -> str | None:
    """The seconds of GitPython's `kill_after_timeout` when it killed the command, else None."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else (stderr or "")
    match = _TIMEOUT.search(text)
    return match.group(1) if match else None


def _repo_env(workdir: Path) -> dict[str, str]:
    """Pin every git command to `workdir`, even when edgec runs inside a git hook that exported GIT_DIR."""
    gitdir = workdir / ".git"
    env = {
        **_NO_PROMPT,
        "GIT_LITERAL_PATHSPECS": "1",  # paths are file names, never patterns
        "GIT_DIR": str(gitdir),
        "GIT_WORK_TREE": str(workdir),
        "GIT_INDEX_FILE": str(gitdir / "index"),
    }
    if "GIT_OBJECT_DIRECTORY" in os.environ:
        env["GIT_OBJECT_DIRECTORY"] = str(gitdir / "objects")
    if "GIT_COMMON_DIR" in os.environ:
        env["GIT_COMMON_DIR"] = str(gitdir)
    return env


# ------------------------------------------------------------------------------------------------ state
_OBJECT_NAME = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_LOG_FORMAT = "%H%x00%an <%ae>%x00%aI%x00%s%x00%B%x00"


@dataclass(frozen=True)
class _CommitState:
    """`DeployState` read from the object database, so it is exact whatever the working tree holds."""

    repo: git.Repo
    head: str | None
    prefix: str
    #: Fetch more history when the checkout is shallow; False once it is complete (nothing more to fetch).
    deepen: Callable[[], bool] = field(default=lambda: False, compare=False)
    #: commit -> `owned_blobs` at it (a tree listing of 40,000 files is read once per state)
    listings: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def read(self, relpath: str) -> bytes | None:
        check_relpath(relpath)
        if self.head is None:
            return None
        with _translated("reading the deployment repository"):
            return self._read_at(self.head, relpath)

    def owned_blobs(self, commit: str | None = None) -> dict[str, str]:
        commit = commit or self.head
        if commit is None:
            return {}
        if commit not in self.listings:
            self.listings[commit] = self._list_owned(commit)
        return dict(self.listings[commit])

    def _list_owned(self, commit: str) -> dict[str, str]:
        with _translated("reading the deployment repository"):
            if not _OBJECT_NAME.match(commit):
                raise ValueError(f"not a commit id: {commit!r}")
            listing = self.repo.git.ls_tree("-r", "-z", "--full-tree", commit, "--",
                                            *(self.prefix + name for name in (MANAGED_DIR, *MANAGED_ROOT_FILES)))
            out: dict[str, str] = {}
            for entry in filter(None, listing.split("\0")):
                meta, _, path = entry.partition("\t")
                mode, kind, sha = meta.split()
                rel = path[len(self.prefix):]
                if kind == "blob" and path.startswith(self.prefix) and is_managed(rel):
                    out[rel] = f"{mode} {sha}"
            return out

    def read_many(self, relpaths: Iterable[str], commit: str | None = None) -> dict[str, bytes]:
        """Owned files only: their object ids from one tree listing, their content from one streamed
        `git cat-file --batch` (naming them `<commit>:<path>` made git search the 10,000-entry `edges` tree once
        per file)."""
        commit = commit or self.head
        listing = self.owned_blobs(commit) if commit is not None else {}
        wanted = [(rel, listing[rel].split(" ")[1]) for rel in map(check_relpath, relpaths) if rel in listing]
        if not wanted:
            return {}
        out: dict[str, bytes] = {}
        with _translated("reading the deployment repository"), tempfile.TemporaryFile() as names:
            names.write("".join(f"{sha}\n" for _, sha in wanted).encode())
            names.seek(0)
            process = self.repo.git.cat_file("--batch", istream=names, as_process=True)
            stream = process.proc.stdout
            for rel, _ in wanted:
                header = stream.readline().split()
                if len(header) != 3:  # `<id> missing`
                    continue
                data = stream.read(int(header[2]))
                stream.read(1)  # the newline after the content
                if header[1] == b"blob":
                    out[rel] = data
            process.wait()
        return out

    def _read_at(self, commit: str, relpath: str) -> bytes | None:
        try:
            obj = self.repo.commit(commit).tree / (self.prefix + relpath)
        except KeyError:
            return None
        return obj.data_stream.read() if obj.type == "blob" else None

    def last_change(self, relpath: str) -> CommitInfo | None:
        """In a shallow checkout a boundary commit seems to add every file: only a commit inside the fetched
        history, with its parent present, is an answer; otherwise fetch deeper and ask again."""
        check_relpath(relpath)
        while True:
            found = self._log("-1", "--", self.prefix + relpath)
            if (found is not None and found.sha not in _shallow_commits(self.repo)) or not self.deepen():
                return found

    def last_edgec_commit(self) -> CommitInfo | None:
        """A match is exact in a shallow checkout too (every newer commit is there); no match may be deeper."""
        while True:
            found = self._log("-1", "--grep=^Edgec-Version: ")
            if found is not None or not self.deepen():
                return found

    def _log(self, *args: str) -> CommitInfo | None:
        if self.head is None:
            return None
        with _translated("reading the deployment repository's history"):
            out = self.repo.git.log(f"--format={_LOG_FORMAT}", self.head, *args, strip_newline_in_stdout=False)
        fields = out.split("\0")
        if len(fields) < 5:
            return None
        sha, author, date, subject, body = (f.strip("\n") for f in fields[:5])
        return CommitInfo(sha, author, date, subject, parse_trailers(body))


# ------------------------------------------------------------------------------------------------ adapter
class GitDeployRepository:
    """`DeployRepository` on a real git repository (see `DeployTarget` for the two modes)."""

    def __init__(self, target: DeployTarget, *, backoff: float = 0.1) -> None:
        self.target = target
        self.backoff = backoff  # seconds; the wait before retry n is random in [0, backoff * 2**(n-1)]
        self._locked = False  # inside `_lock`: a deepening fetch then needs no lock of its own

    # -- public
    def current(self) -> DeployState:
        with self._lock():
            repo = self._open()
            return _CommitState(repo, self._fetch(repo), self.target.prefix, self._deepener(repo))

    def sync(self, build: Callable[[DeployState], Rendered], *, max_attempts: int = 5) -> SyncResult:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        t = self.target
        with self._lock():
            repo = self._open()
            rejection: str | None = None
            try:
                for attempt in range(1, max_attempts + 1):
                    head = self._fetch(repo)
                    self._reset(repo, head)
                    # may raise: nothing written yet
                    rendered = build(_CommitState(repo, head, t.prefix, self._deepener(repo)))
                    try:
                        changed = self._stage(repo, rendered)
                        if not changed:
                            return SyncResult(None, (), attempt, t.branch, t.display_url)
                        commit = self._commit(repo, rendered.message)
                        rejection = None if t.is_local else self._push(repo)
                    except BaseException:
                        self._restore(repo, head)
                        raise
                    if rejection is None:
                        return SyncResult(commit, changed, attempt, t.branch, t.display_url)
                    # Full jitter, so that two writers stop colliding and a fast one cannot starve a slow one.
                    time.sleep(random.uniform(0.0, self.backoff * 2 ** (attempt - 1)))
            finally:
                repo.close()
        raise fail(
            "git-failed",
            f"pushing to {t.display_url} (branch {t.branch}) was rejected {max_attempts} times in a row "
            f"(last: {rejection}): other commits kept landing on the branch",
            hint="another compile is pushing to the same branch; run again once it is done",
        )

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """`folder_lock` on the checkout, taken once however the calls nest."""
        if self._locked:
            yield
            return
        with folder_lock(self.target.cache_dir):
            self._locked = True
            try:
                yield
            finally:
                self._locked = False

    # -- steps
    def _open(self) -> git.Repo:
        """The working repository, created on first use.

        A remote-mode cache is edgec's own: one that a killed or failed run left broken (a first clone cut short
        by a full disk, a half-written config) is rebuilt, and it is created in a sibling folder and renamed into
        place, so a failure never leaves a cache behind. Lock files of a killed git are removed: edgec holds
        `folder_lock`, so no other git process may be working in the checkout. The remote's URL (credentials
        included) never goes into the checkout's config: it reaches git through the environment (`_network_env`).
        """
        t, workdir = self.target, self.target.cache_dir
        with _translated(f"preparing the deployment checkout {workdir}", hint="delete the folder; edgec recreates it"):
            if not t.is_local:
                _discard_leftovers(workdir)
                if (workdir / ".git").is_dir() and not (workdir / ".git").is_symlink() and not _is_sound(workdir):
                    shutil.rmtree(workdir)  # only a checkout edgec made: a folder without .git is never deleted
            if not (workdir / ".git").is_dir():
                if workdir.exists() and any(workdir.iterdir()):
                    raise fail("git-failed", f"{workdir} exists and is not a git repository",
                               hint="move it away or delete it; edgec creates the repository there")
                if t.is_local:
                    _init(workdir, t.branch)
                else:
                    building = workdir.with_name(f"{workdir.name}.new-{os.getpid()}")
                    try:
                        _init(building, t.branch)
                        if workdir.exists():
                            workdir.rmdir()
                        building.rename(workdir)
                    finally:
                        if building.exists():
                            shutil.rmtree(building, ignore_errors=True)
            _remove_stale_locks(workdir / ".git")
            repo = git.Repo(str(workdir))
            repo.git.update_environment(**_repo_env(workdir), **self._network_env())
            _no_automatic_gc(repo)
            if not t.is_local:
                _partial_clone(repo)
            if t.url is not None and "origin" in {r.name for r in repo.remotes}:
                # A cache from an earlier edgec kept the URL, and any password in it, in .git/config.
                with repo.config_writer() as cfg:
                    cfg.remove_section('remote "origin"')
        return repo

    def _network_env(self) -> dict[str, str]:
        """The remote (as `remote.origin.url`) and bounds for every git command, through the environment:
        git's `GIT_CONFIG_COUNT` settings, no prompt, ssh in batch mode with a connect timeout."""
        t = self.target
        if t.url is None:
            return {}
        settings = [("remote.origin.url", t.url), ("remote.origin.promisor", "true"),
                    ("remote.origin.partialCloneFilter", _FILTER), ("http.lowSpeedLimit", "1"),
                    ("http.lowSpeedTime", str(max(1, int(t.timeout))))]
        try:
            first = max(0, int(os.environ.get("GIT_CONFIG_COUNT", "0")))
        except ValueError:
            first = 0
        env = {"GIT_CONFIG_COUNT": str(first + len(settings))}
        for index, (key, value) in enumerate(settings, first):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        if "GIT_SSH" not in os.environ:
            ssh = os.environ.get("GIT_SSH_COMMAND") or "ssh"
            env["GIT_SSH_COMMAND"] = f"{ssh} -o BatchMode=yes -o ConnectTimeout={max(1, int(t.timeout))}"
        return env

    def _fetch(self, repo: git.Repo) -> str | None:
        """Bring the branch head to this checkout and return it; None when the branch does not exist yet."""
        t = self.target
        if t.is_local:
            return _resolve(repo, f"refs/heads/{t.branch}")
        tracking = f"refs/remotes/origin/{t.branch}"
        action = f"fetching {t.display_url} (branch {t.branch})"
        refspec = f"+refs/heads/{t.branch}:{tracking}"
        # the first fetch takes the head commit only; later ones bring what is new on top of what is here
        before = _resolve(repo, tracking)
        shallow = ("--depth=1",) if before is None else ()
        with _translated(action, hint=_CREDENTIALS_HINT):
            try:
                repo.git.fetch("-q", "--no-tags", f"--filter={_FILTER}", *shallow, "origin", refspec,
                               kill_after_timeout=t.timeout)
            except GitCommandError as exc:
                if _timed_out(exc.stderr):
                    raise
                # Either the branch does not exist (an empty remote) or the remote failed: ask which.
                listing = str(repo.git.ls_remote("--heads", "origin", f"refs/heads/{t.branch}",
                                                 kill_after_timeout=t.timeout))
                if any(line.split("\t")[-1] == f"refs/heads/{t.branch}" for line in listing.splitlines()):
                    # created meanwhile by another writer
                    repo.git.fetch("-q", "--no-tags", f"--filter={_FILTER}", *shallow, "origin", refspec,
                                   kill_after_timeout=t.timeout)
                else:
                    if _resolve(repo, tracking) is not None:
                        repo.git.update_ref("-d", tracking)
                    return None
            head = _resolve(repo, tracking)
            if head is not None and head != before:  # an unchanged head had its blobs fetched before
                self._fetch_blobs(repo, head)
        return head

    def _fetch_blobs(self, repo: git.Repo, head: str) -> None:
        """The blobs of `head` that the partial clone lacks, in one fetch (reading or checking them out one by
        one would fetch each on its own)."""
        listing = repo.git.rev_list("--objects", "--no-walk", "--missing=print", head)
        missing = [line[1:].split(" ")[0] for line in listing.splitlines() if line.startswith("?")]
        if not missing:
            return
        with tempfile.TemporaryFile() as stdin:
            stdin.write("".join(f"{oid}\n" for oid in missing).encode())
            stdin.seek(0)
            # as git's own lazy fetch: no negotiation, or the remote leaves out blobs it thinks are here
            repo.git(c="fetch.negotiationAlgorithm=noop").fetch(
                "-q", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", f"--filter={_FILTER}",
                "--stdin", "origin", istream=stdin, kill_after_timeout=self.target.timeout)

    def _deepener(self, repo: git.Repo) -> Callable[[], bool]:
        """For `_CommitState.deepen`: each call fetches twice as many more commits as the one before; False (and
        no fetch) once the checkout is not shallow."""
        step = 1

        def deepen() -> bool:
            nonlocal step
            t = self.target
            if t.is_local or not _shallow_commits(repo):
                return False
            refspec = f"+refs/heads/{t.branch}:refs/remotes/origin/{t.branch}"
            # a state from `current` is read after its lock is released: the fetch takes it again
            with self._lock(), _translated(f"fetching more history of {t.display_url} (branch {t.branch})",
                                           hint=_CREDENTIALS_HINT):
                repo.git.fetch("-q", "--no-tags", f"--filter={_FILTER}", f"--deepen={step}", "origin", refspec,
                               kill_after_timeout=t.timeout)
            step *= 2
            return True

        return deepen

    def full_history(self) -> None:
        """Fetch every commit of the branch (no blobs): for readers of the whole history (soak times)."""
        t = self.target
        with self._lock():
            repo = self._open()
            try:
                if t.is_local or not _shallow_commits(repo):
                    return
                refspec = f"+refs/heads/{t.branch}:refs/remotes/origin/{t.branch}"
                with _translated(f"fetching the history of {t.display_url} (branch {t.branch})",
                                 hint=_CREDENTIALS_HINT):
                    repo.git.fetch("-q", "--no-tags", f"--filter={_FILTER}", "--unshallow", "origin", refspec,
                                   kill_after_timeout=t.timeout)
            finally:
                repo.close()

    def _reset(self, repo: git.Repo, head: str | None) -> None:
        """Make branch, index and the managed files equal `head`, dropping anything a failed run left behind."""
        t = self.target
        with _translated(f"resetting the deployment checkout {t.cache_dir}"):
            if head is not None:
                repo.git.checkout("-q", "-f", "-B", t.branch, head)
                repo.git.clean("-ffdxq", "--", *self._managed_pathspecs())
            else:  # first commit of the branch: start from an empty tree
                repo.git.symbolic_ref("HEAD", f"refs/heads/{t.branch}")
                if _resolve(repo, f"refs/heads/{t.branch}") is not None:
                    repo.git.update_ref("-d", f"refs/heads/{t.branch}")
                repo.git.read_tree("--empty")
                repo.git.clean("-ffdxq")

    def _restore(self, repo: git.Repo, head: str | None) -> None:
        """After a failed write, commit or push: back to `head`, so that nothing half-written stays in the
        checkout (in local mode the user's `.edgec/deploy`). Best effort: the original failure is what counts."""
        try:
            _remove_stale_locks(Path(repo.git_dir))
            self._reset(repo, head)
        except (EdgecError, GitError, OSError):
            pass

    def _stage(self, repo: git.Repo, rendered: Rendered) -> tuple[str, ...]:
        """Write the files that differ from the index, delete stale managed files, stage exactly those paths;
        return what differs from HEAD.

        After `_reset` the index and the managed files equal HEAD, so a rendered file whose git blob hash (and
        mode 100644) equals its index entry is neither written nor staged: an unchanged recompile writes nothing,
        and a one-edge change touches only that edge's files and the root files. The changed paths go to one
        `git update-index` through stdin (no pathspec matching: one literal pathspec per file made `git add` of
        30,000 files cost 42 s). The owned files of `rendered.kept` folders are neither written nor deleted.
        """
        files = rendered.files
        check_rendered_files(files)
        check_rendered_files(rendered.kept)
        t = self.target
        prefix = t.prefix
        with _translated(f"writing the rendered tree into {t.cache_dir}"):
            indexed = self._indexed(repo)
            owned = {rel for rel in indexed if is_managed(rel)}
            stale = sorted(rel for rel in owned - files.keys() if not rendered.keeps(rel))
            changed = sorted(rel for rel, data in files.items() if not _same_blob(indexed.get(rel), data))
            for rel in stale:
                _remove_file(t.cache_dir / prefix, rel)
            folders: set[Path] = set()  # checked or made by an earlier file of this stage
            for rel in changed:
                _write_file(t.cache_dir, prefix, rel, data=files[rel], folders=folders)
            if changed or stale:
                sha256 = repo.git.rev_parse("--show-object-format").strip() == "sha256"
                object_ids = _store_blobs(repo, [files[rel] for rel in changed], sha256=sha256)
                zero = "0" * (64 if sha256 else 40)  # the id --index-info reads as "remove the path"
                entries = [*(f"100644 {oid}\t{prefix}{rel}" for rel, oid in zip(changed, object_ids, strict=True)),
                           *(f"0 {zero}\t{prefix}{rel}" for rel in stale)]
                with tempfile.TemporaryFile() as stdin:
                    stdin.write(b"".join(entry.encode() + b"\0" for entry in entries))
                    stdin.seek(0)
                    # no stat data yet: `git commit` refreshes the index, and records it for the written files
                    repo.git.update_index("-z", "--index-info", istream=stdin)
            diff = repo.git.diff("--cached", "--name-only", "--no-renames", "-z", "--", t.path)
        return tuple(sorted(p[len(prefix) :] for p in diff.split("\0") if p))

    def _indexed(self, repo: git.Repo) -> dict[str, tuple[str, str]]:
        """(mode, blob id) of every index entry under the target path, keyed relative to it."""
        prefix = self.target.prefix
        out: dict[str, tuple[str, str]] = {}
        for entry in repo.git.ls_files("-s", "-z", "--", self.target.path).split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, sha, _number = meta.split(" ")
            if path.startswith(prefix):
                out[path[len(prefix) :]] = (mode, sha)
        return out

    def _commit(self, repo: git.Repo, message: str) -> str:
        if not message.strip():
            raise ValueError("the commit message is empty")
        t = self.target
        identity = {
            "GIT_AUTHOR_NAME": t.author_name,
            "GIT_AUTHOR_EMAIL": t.author_email,
            "GIT_COMMITTER_NAME": t.author_name,
            "GIT_COMMITTER_EMAIL": t.author_email,
        }
        msg_file = Path(repo.git_dir) / "EDGEC_COMMIT_MSG"
        with _translated(f"committing in {t.cache_dir}"):
            msg_file.write_text(message, encoding="utf-8")
            # whitespace cleanup keeps lines starting with '#', which the default cleanup would drop.
            repo.git.commit("-q", "--no-verify", "--cleanup=whitespace", "-F", str(msg_file), env=identity)
            return repo.git.rev_parse("HEAD")

    def _push(self, repo: git.Repo) -> str | None:
        """Push the branch. None on success; the reason when a concurrent writer won (fetch and retry);
        `git-failed` for anything else (unreachable, auth, hook).

        Read from `--porcelain` output rather than `Remote.push`, whose PushInfo flags carry the same facts but
        which logs git's stderr as a warning of its own.
        """
        t = self.target
        action = f"pushing to {t.display_url} (branch {t.branch})"
        ref = f"refs/heads/{t.branch}"
        with _translated(action, hint=_CREDENTIALS_HINT):
            status, out, err = repo.git.push(
                "--porcelain", "--no-verify", "origin", f"{ref}:{ref}",
                with_extended_output=True, with_exceptions=False, kill_after_timeout=t.timeout,
            )
        seconds = _timed_out(err)
        if seconds:
            raise fail("git-failed", f"{action}: timed out after {seconds} s with no answer",
                       hint="check the network and that the host is up; deployRepo.timeout sets the limit")
        outcome = _push_outcome(str(out), ref)
        if status == 0 and outcome is not None and outcome[0] != "!":
            return None
        if outcome is not None and outcome[0] == "!":
            summary = outcome[1]
            remote_says = [line for line in str(err).splitlines() if line.startswith("remote:")]
            # [rejected]: the remote head is not an ancestor of ours. [remote rejected] (failed to update ref) /
            # cannot lock ref: two pushes passed that check at once and the other one updated the ref first.
            if summary.startswith("[rejected]") or _lost_ref_race(summary, remote_says):
                return _summarise(summary)
            raise fail("git-failed", f"{action}: {_summarise(err, [summary])}",
                       hint="the remote refused the commit (a hook, branch protection or a checked-out branch)")
        raise fail("git-failed", f"{action}: {_summarise(err)}", hint=_CREDENTIALS_HINT)

    # -- helpers
    def _managed_pathspecs(self) -> list[str]:
        return [self.target.prefix + name for name in (MANAGED_DIR, *sorted(MANAGED_ROOT_FILES))]


def _no_automatic_gc(repo: git.Repo) -> None:
    """No `git gc --auto` after a commit or fetch of this private checkout: at 30,000 files it ran synchronously
    inside the compile for 16 s. Packing is left to `git gc` / `git maintenance` outside a compile."""
    with repo.config_reader() as cfg:
        done = cfg.get_value("gc", "auto", "") == 0 and cfg.get_value("maintenance", "auto", "") is False
    if not done:
        with repo.config_writer() as writer:
            writer.set_value("gc", "auto", 0)
            writer.set_value("maintenance", "auto", False)


def _shallow_commits(repo: git.Repo) -> frozenset[str]:
    """The boundary commits of a shallow checkout (`.git/shallow`); empty when the history is complete."""
    path = Path(repo.git_dir) / "shallow"
    try:
        return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip())
    except FileNotFoundError:
        return frozenset()


def _partial_clone(repo: git.Repo) -> None:
    """Mark the checkout as a partial clone of `origin` (the remote's URL itself comes from the environment);
    a cache an earlier edgec cloned in full becomes one too."""
    with repo.config_reader() as cfg:
        done = cfg.get_value("extensions", "partialClone", "") == "origin" and \
            cfg.get_value("core", "repositoryformatversion", 0) == 1
    if not done:
        with repo.config_writer() as writer:
            writer.set_value("core", "repositoryformatversion", 1)
            writer.set_value("extensions", "partialClone", "origin")


def _init(workdir: Path, branch: str) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    init = git.Git(str(workdir))
    init.update_environment(**_repo_env(workdir))
    init.init("-q", f"--initial-branch={branch}")
    with git.Repo(str(workdir)).config_writer() as cfg:
        # Bytes in, bytes out, and no user hook or global setting may interfere.
        cfg.set_value("core", "autocrlf", "false")
        cfg.set_value("core", "safecrlf", "false")
        cfg.set_value("core", "hooksPath", os.devnull)
        cfg.set_value("gc", "autoDetach", "false")


def _is_sound(workdir: Path) -> bool:
    """A checkout git can open: `.git` with a HEAD and a config that parses and that `git rev-parse` accepts."""
    gitdir = workdir / ".git"
    if not (gitdir / "HEAD").is_file() or not (gitdir / "config").is_file():
        return False
    try:
        with git.Repo(str(workdir)) as repo:
            repo.git.update_environment(**_repo_env(workdir))
            repo.git.rev_parse("--git-dir")
            repo.config_reader().get_value("core", "hooksPath")
    except (GitError, OSError, ValueError, KeyError, configparser.Error):
        return False
    return True


def _discard_leftovers(workdir: Path) -> None:
    """Sibling folders a killed run was building (`<cache>.new-<pid>`)."""
    if workdir.parent.is_dir():
        for leftover in workdir.parent.glob(f"{workdir.name}.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _remove_stale_locks(gitdir: Path) -> None:
    """`index.lock`, `HEAD.lock`, ref locks ... that a killed git left: every later git command would fail on them."""
    candidates = [gitdir / name for name in ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock",
                                             "shallow.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock")]
    refs = gitdir / "refs"
    if refs.is_dir():
        candidates += list(refs.rglob("*.lock"))
    for path in candidates:
        if path.is_file() and not path.is_symlink():
            path.unlink()


def _push_outcome(porcelain: str, ref: str) -> tuple[str, str] | None:
    """(flag, summary) of `ref` in `git push --porcelain` output: lines `<flag>\\t<from>:<to>\\t<summary>`."""
    for line in porcelain.splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[1].endswith(":" + ref) and fields[0]:
            return fields[0][0], fields[2].strip()
    return None


def _lost_ref_race(summary: str, remote_lines: list[str]) -> bool:
    if not summary.startswith("[remote rejected]") or "failed to update ref" not in summary:
        return False
    return any("cannot lock ref" in line for line in remote_lines) or not remote_lines


def _resolve(repo: git.Repo, ref: str) -> str | None:
    out = repo.git.rev_parse("--verify", "-q", f"{ref}^{{commit}}", with_exceptions=False)
    return out.strip() or None


def _store_blobs(repo: git.Repo, blobs: list[bytes], *, sha256: bool) -> list[str]:
    """Write `blobs` into one new pack with `git fast-import` and return their object ids, in order.

    `git update-index --add` stores each file as a loose object: a first compile of 10,000 edges created 40,000
    object files next to its 40,000 rendered ones and read every rendered file back to hash it, and creating that
    many inodes was the largest system-time cost of the compile. One pack is a single file; the ids are computed
    here from the bytes already in memory. `--depth=0`: no delta search (the pack is as large as the loose
    objects were; `git gc` packs the repository properly out of band).
    """
    if not blobs:
        return []
    process = repo.git.fast_import("--quiet", "--done", "--depth=0", as_process=True, istream=subprocess.PIPE)
    stdin = process.proc.stdin
    assert stdin is not None
    ids: list[str] = []
    try:
        for data in blobs:
            ids.append(_blob_id(data, sha256=sha256))
            stdin.write(b"blob\ndata %d\n" % len(data))
            stdin.write(data)
            stdin.write(b"\n")
        stdin.write(b"done\n")
        stdin.close()
    except BrokenPipeError:
        pass  # fast-import stopped: wait() reports why
    process.wait()
    return ids


def _same_blob(entry: tuple[str, str] | None, data: bytes) -> bool:
    """True when an index entry (mode, object id) is a regular file holding exactly `data`."""
    if entry is None or entry[0] != "100644":
        return False
    return _blob_id(data, sha256=len(entry[1]) == 64) == entry[1]


def _blob_id(data: bytes, *, sha256: bool) -> str:
    """git's object id of a blob holding `data`: the hash of a header and the content."""
    algorithm = hashlib.sha256 if sha256 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _remove_file(base: Path, rel: str) -> None:
    """Delete one stale managed file (or symlink) and the folders it leaves empty, up to the target path."""
    path = base / rel
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    parent = path.parent
    while parent != base and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _write_file(root: Path, prefix: str, rel: str, data: bytes, folders: set[Path] | None = None) -> None:
    """Write one managed file without following a symlink or tripping over a file that sits where a folder goes.

    Obstacles inside the managed area are edgec's own and removed; in the `path` prefix they are not, so a
    symlink or file there is an error rather than a write outside the repository.
    """
    prefix_parts = [p for p in prefix.split("/") if p]
    parts = [*prefix_parts, *rel.split("/")]
    current = root
    for index, part in enumerate(parts[:-1]):
        current = current / part
        if folders is not None and current in folders:
            continue
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            if index < len(prefix_parts):
                raise fail("git-failed", f"{'/'.join(parts[: index + 1])} in the deployment repository is not a folder")
            current.unlink()
        current.mkdir(exist_ok=True)
        if folders is not None:
            folders.add(current)
    final = current / parts[-1]
    if final.is_symlink():
        final.unlink()
    elif final.is_dir():
        shutil.rmtree(final)
    final.write_bytes(data)
    final.chmod(0o644)


# ------------------------------------------------------------------------------------------------ spec repo
def source_commit(spec_root: Path) -> str | None:
    """The spec repository's HEAD for the `Source-Commit` trailer.

    `<sha>-dirty` when files under the spec root (outside `.edgec/`) differ from HEAD: modified, staged,
    deleted or untracked; ignored files do not count. None when the spec root is not in a git repository or
    the repository has no commit yet.
    """
    try:
        repo = git.Repo(spec_root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None
    repo.git.update_environment(**_NO_PROMPT)
    try:
        with _translated(f"reading the spec repository at {spec_root}"):
            if repo.bare or repo.working_tree_dir is None:
                return None
            sha = _resolve(repo, "HEAD")
            if sha is None:
                return None
            rel = Path(os.path.relpath(Path(spec_root).resolve(), Path(repo.working_tree_dir).resolve())).as_posix()
            base = "" if rel == "." else rel + "/"
            status = repo.git.status(
                "--porcelain", "-z", "--untracked-files=all", "--", base or ".", f":(exclude){base}.edgec",
                env={"GIT_LITERAL_PATHSPECS": "0"},  # the exclusion is a magic pathspec
            )
            return f"{sha}-dirty" if status.strip("\0") else sha
    finally:
        repo.close()


class GitSourceHistory:
    """`SourceHistory` of the git repository holding the spec root."""

    def __init__(self, spec_root: Path) -> None:
        self.spec_root = spec_root

    def relation(self, deployed: str, ours: str) -> SourceRelation:
        if deployed == ours:
            return "same"
        if not all(_OBJECT_NAME.match(sha) for sha in (deployed, ours)):
            return "unknown"  # a trailer edited by hand: never hand git anything but an object name
        try:
            repo = git.Repo(self.spec_root, search_parent_directories=True)
        except (InvalidGitRepositoryError, NoSuchPathError):
            return "unknown"
        repo.git.update_environment(**_NO_PROMPT)
        try:
            with _translated(f"reading the history of the spec repository at {self.spec_root}"):
                if _resolve(repo, deployed) is None:
                    return "unknown"
                if self._is_ancestor(repo, deployed, ours):
                    return "ancestor"
                return "descendant" if self._is_ancestor(repo, ours, deployed) else "unrelated"
        finally:
            repo.close()

    def _is_ancestor(self, repo: git.Repo, older: str, newer: str) -> bool:
        status = repo.git.merge_base("--is-ancestor", older, newer, with_extended_output=True,
                                     with_exceptions=False)[0]
        if status not in (0, 1):
            raise fail("git-failed", f"git merge-base --is-ancestor {older} {newer} failed in {self.spec_root}")
        return bool(status == 0)
