"""Concurrent writers: a rejected push is retried on the new head, boundedly, and no update is ever lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compiler.adapters.deploy import DeployState, DeployTarget, GitDeployRepository, Rendered
from compiler.diagnostics import EdgecError, ExitCode

from .gitutil import MESSAGE, fsck, history, push_files, tree

ROOT = Path(__file__).resolve().parents[3]


def test_rejected_push_is_retried_on_the_new_head(remote: Path, tmp_path: Path) -> None:
    heads: list[str | None] = []
    competitor: list[str] = []

    def render(state: DeployState) -> Rendered:
        heads.append(state.head)
        if len(heads) == 1:  # another writer lands between our fetch and our push
            competitor.append(push_files(remote, {"edges/other/values.yaml": b"theirs\n"}, work=tmp_path))
        # Re-render on top of the state, as the pipeline does: keep what is there, add ours.
        theirs = state.read("edges/other/values.yaml")
        files = {"edges/ours/values.yaml": b"ours\n"} | ({"edges/other/values.yaml": theirs} if theirs else {})
        return Rendered(files, MESSAGE)

    result = GitDeployRepository(DeployTarget(tmp_path / "cache", url=str(remote))).sync(render)

    assert result.attempts == 2 and heads == [None, competitor[0]]
    commits = history(remote)
    assert [c.hexsha for c in commits] == [result.commit, competitor[0]]
    assert commits[0].parents[0].hexsha == competitor[0]
    assert tree(remote) == {"edges/ours/values.yaml": b"ours\n", "edges/other/values.yaml": b"theirs\n"}


def test_retries_are_bounded(remote: Path, tmp_path: Path) -> None:
    calls = 0

    def render(state: DeployState) -> Rendered:
        nonlocal calls
        calls += 1
        push_files(remote, {f"notes/{calls}.txt": b"x"}, work=tmp_path)  # the remote moves every time
        return Rendered({"plan.json": b"{}"}, MESSAGE)

    with pytest.raises(EdgecError) as info:
        GitDeployRepository(DeployTarget(tmp_path / "cache", url=str(remote)), backoff=0).sync(render, max_attempts=3)

    assert calls == 3
    assert info.value.diagnostic.code == "git-failed" and info.value.exit_code == ExitCode.ENVIRONMENT
    assert str(remote) in info.value.diagnostic.message and "branch main" in info.value.diagnostic.message
    assert "plan.json" not in tree(remote)


# Each writer appends its own lines to a shared log (PLAN.md) and owns one edge; it re-renders everything it
# sees on the current head, as the compile pipeline does. A lost update would drop lines or an edge.
WRITER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from compiler.adapters.deploy import DeployTarget, GitDeployRepository, Rendered
    from compiler.diagnostics import EdgecError

    name, remote, cache, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    repo = GitDeployRepository(DeployTarget(cache, url=remote))
    done = 0

    def render(state, i):
        lines = (state.read("PLAN.md") or b"").decode().splitlines() + [f"{name} {i}"]
        writers = sorted({line.split()[0] for line in lines})
        files = {"PLAN.md": ("\\n".join(lines) + "\\n").encode()}
        for w in writers:
            own = f"{name} {i}\\n".encode() if w == name else state.read(f"edges/{w}/values.yaml")
            files[f"edges/{w}/values.yaml"] = own
        return Rendered(files, f"{name} round {i}\\n")

    try:
        for i in range(rounds):
            repo.sync(lambda state: render(state, i))
            done += 1
    except EdgecError as exc:
        print(json.dumps({"done": done, "code": exc.diagnostic.code}))
        sys.exit(int(exc.exit_code))
    print(json.dumps({"done": done, "code": None}))
    """
)


@pytest.mark.parametrize("shared_cache", [False, True], ids=["two-machines", "one-machine"])
def test_two_processes_racing_lose_no_update(remote: Path, tmp_path: Path, shared_cache: bool) -> None:
    rounds = 4
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(remote),
             str(tmp_path / ("cache" if shared_cache else f"cache-{name}")), str(rounds)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
        )
        for name in ("alpha", "beta")
    }
    outcomes = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        assert proc.returncode in (0, ExitCode.ENVIRONMENT), err
        outcomes[name] = json.loads(out)
        assert outcomes[name]["code"] in (None, "git-failed")

    fsck(remote)
    commits = history(remote)
    assert all(len(c.parents) <= 1 for c in commits)  # linear: fast-forwards only
    assert len(commits) == sum(o["done"] for o in outcomes.values())
    final = tree(remote)
    log = final["PLAN.md"].decode().splitlines()
    for name, outcome in outcomes.items():
        # every successful round of every writer is in the log, in order, exactly once
        assert [line for line in log if line.startswith(name)] == [f"{name} {i}" for i in range(outcome["done"])]
        if outcome["done"]:
            assert final[f"edges/{name}/values.yaml"] == f"{name} {outcome['done'] - 1}\n".encode()
