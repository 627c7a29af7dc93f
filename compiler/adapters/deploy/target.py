"""Where the rendered tree goes: the deployment repository's settings, resolved against the spec root."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from compiler.diagnostics import fail
from compiler.spec.git_url import is_local_path
from compiler.spec.model import BRANCH_PATTERN, GIT_AUTHOR_EMAIL, GIT_AUTHOR_NAME, DeployRepo

from .base import redact_url

DEFAULT_AUTHOR_NAME = "edgec"
DEFAULT_AUTHOR_EMAIL = "edgec@localhost"
DEFAULT_TIMEOUT = 120.0


def _matches(pattern: str, value: str) -> bool:
    """A schema pattern (`^...$`, ECMA: `$` only at the very end), as `validate` applies it."""
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None


def cache_dir_for(spec_root: Path, url: str) -> Path:
    """`<spec root>/.edgec/deploy-cache/<hash of url>`: one clone per remote, never shared between remotes."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return spec_root / ".edgec" / "deploy-cache" / digest


@dataclass(frozen=True)
class DeployTarget:
    """Settings of one deployment repository.

    `url` None is the local default mode: `cache_dir` is then the repository itself (a normal repository at
    `<spec root>/.edgec/deploy` whose working tree shows the last commit) and commits are never pushed. With a
    `url` (a path or any git URL), `cache_dir` is a private clone that edgec resets at will.
    """

    cache_dir: Path
    url: str | None = None
    branch: str = "main"
    path: str = "."  # sub-folder of the repository that holds the rendered tree; "." is the root
    author_name: str = DEFAULT_AUTHOR_NAME
    author_email: str = DEFAULT_AUTHOR_EMAIL
    timeout: float = DEFAULT_TIMEOUT  # seconds one network git operation (fetch, ls-remote, push) may take

    def __post_init__(self) -> None:
        if self.url is not None and is_local_path(self.url):
            # git resolves a relative path against its working directory, which is the cache: pin it now.
            object.__setattr__(self, "url", os.path.abspath(self.url))
        object.__setattr__(self, "cache_dir", Path(os.path.abspath(self.cache_dir)))
        object.__setattr__(self, "path", _normalise_path(self.path))
        # The schema (compiler.spec.model) is the one home of these rules and `validate` reports them with a
        # position; this guards targets built in code (tests, the default author) by the same patterns.
        if not _matches(BRANCH_PATTERN, self.branch):
            raise fail("schema", f"deployRepo.branch {self.branch!r} is not a valid git branch name")
        for pattern, value in ((GIT_AUTHOR_NAME, self.author_name), (GIT_AUTHOR_EMAIL, self.author_email)):
            if not _matches(pattern, value):
                raise fail("schema", f"invalid git author {value!r}")

    @classmethod
    def from_config(cls, spec_root: Path, repo: DeployRepo | None) -> DeployTarget:
        """The target for `edgec.yaml`'s `deployRepo` (None: the local default under `.edgec/deploy`).

        A relative local path in `url` is relative to the spec root.
        """
        if repo is None:
            return cls(cache_dir=spec_root / ".edgec" / "deploy")
        url = repo.url
        if is_local_path(url) and not os.path.isabs(url):
            url = os.path.abspath(spec_root / url)
        author = {} if repo.author is None else {"author_name": repo.author.name, "author_email": repo.author.email}
        return cls(
            cache_dir=cache_dir_for(spec_root, url), url=url, branch=repo.branch, path=repo.path,
            timeout=repo.timeout, **author
        )

    @property
    def is_local(self) -> bool:
        return self.url is None

    @property
    def display_url(self) -> str:
        """The URL without credentials (or the local repository's folder), for messages and results."""
        return str(self.cache_dir) if self.url is None else redact_url(self.url)

    @property
    def prefix(self) -> str:
        """`path` as a prefix of repository paths: "" for the root, else "sub/dir/"."""
        return "" if self.path == "." else self.path + "/"


def _normalise_path(path: str) -> str:
    raw = path.replace("\\", "/").strip()
    norm = posixpath.normpath(raw) if raw else "."
    parts = norm.split("/")
    if raw.startswith("/") or ".." in parts or ".git" in parts or "\0" in raw:
        raise fail("schema", f"deployRepo.path {path!r} must be a relative folder inside the repository")
    return norm
