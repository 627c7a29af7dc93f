"""The deployment repository: what the compile pipeline commits the rendered tree to.

The pipeline depends on the `DeployRepository` Protocol; `GitDeployRepository` (in `gitrepo`, the only module
that imports GitPython, loaded on first use) implements it on real git, and `tests/deploy/fakes.py` in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.diagnostics import fail

from .base import (
    MANAGED_DIR,
    MANAGED_ROOT_FILES,
    CommitInfo,
    DeployRepository,
    DeployState,
    Rendered,
    SourceHistory,
    SourceRelation,
    SyncResult,
    commit_trailers,
    is_managed,
    parse_trailers,
    redact_url,
)
from .target import DeployTarget, cache_dir_for

if TYPE_CHECKING:
    from .gitrepo import GitDeployRepository, GitSourceHistory, source_commit

__all__ = [
    "MANAGED_DIR",
    "MANAGED_ROOT_FILES",
    "CommitInfo",
    "DeployRepository",
    "DeployState",
    "DeployTarget",
    "GitDeployRepository",
    "GitSourceHistory",
    "Rendered",
    "SourceHistory",
    "SourceRelation",
    "SyncResult",
    "cache_dir_for",
    "commit_trailers",
    "is_managed",
    "parse_trailers",
    "redact_url",
    "source_commit",
]

_LAZY = {"GitDeployRepository", "GitSourceHistory", "source_commit"}


def __getattr__(name: str) -> Any:
    """Import GitPython (~100 ms) only when a command actually needs git. GitPython looks for the git executable
    when it is imported and raises ImportError without one: that is the environment's failure, `git-failed`."""
    if name in _LAZY:
        try:
            from . import gitrepo
        except ImportError as exc:
            raise fail("git-failed", f"cannot use git: {str(exc).strip().splitlines()[0]}",
                       hint="install git, or point GIT_PYTHON_GIT_EXECUTABLE at it") from None
        return getattr(gitrepo, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
