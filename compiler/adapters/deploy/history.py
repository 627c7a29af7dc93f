"""When each roll-out wave reached the deployment repository, read from its history (for soak times).

Every compile commit that moves a wave carries a trailer `Edgec-Wave-Moved: <publish>/<wave>` (and
`Edgec-Wave-Back: <publish>/<wave>` when `promote --to` rolled it back); see `compiler.compile.stages`. The
newest event per wave wins: a wave moved, rolled back and moved again soaks from its latest move. Only commits
that touch the target's `path` count, so spec repositories sharing one deployment repository do not mix.

GitPython stays behind `gitrepo`'s error translation: this module reuses its environment pinning and failure
mapping, and reads the branch head the adapter has just fetched.
"""

from __future__ import annotations

from compiler.analysis.plan.rollouts import WaveClock

from .gitrepo import GitDeployRepository, _repo_env, _translated
from .trailers import FIELD, RECORD, parse_log

#: Commits read at most (newest first): a bound on the work, far beyond any roll-out's length.
MAX_COMMITS = 5000


def wave_clocks(repository: GitDeployRepository) -> dict[tuple[str, str], WaveClock]:
    """Fetch the deployment branch and read when each wave moved; empty when the branch does not exist."""
    import git

    state = repository.current()
    if state.head is None:
        return {}
    repository.full_history()  # a shallow checkout would read only the newest commits
    target = repository.target
    workdir = target.cache_dir
    with _translated(f"reading the history of {target.display_url} (branch {target.branch})"):
        runner = git.Git(str(workdir))
        runner.update_environment(**_repo_env(workdir))
        paths = ["--", target.path] if target.path != "." else []
        text = runner.log(f"--max-count={MAX_COMMITS}", f"--format=%H{FIELD}%ct{FIELD}%B{RECORD}",
                          state.head, *paths)
    return parse_log(str(text))
