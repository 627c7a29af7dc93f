"""Environment failures: one `git-failed` diagnostic (exit code 3), no GitPython exception, no credential."""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import git
import pytest

from compiler.adapters.deploy import DeployTarget, GitDeployRepository
from compiler.diagnostics import EdgecError, ExitCode

from .gitutil import build, history, make_remote, tree

FILES = {"plan.json": b"{}\n", "edges/a/values.yaml": b"a\n"}
ROOT = Path(__file__).resolve().parents[3]


def sync_error(url: str, tmp_path: Path) -> EdgecError:
    with pytest.raises(EdgecError) as info:
        GitDeployRepository(DeployTarget(tmp_path / "cache", url=url)).sync(build(FILES))
    error = info.value
    assert error.diagnostic.code == "git-failed" and error.exit_code == ExitCode.ENVIRONMENT
    assert "\n" not in error.diagnostic.message
    return error


@pytest.mark.parametrize("kind", ["missing-path", "file-url"])
def test_unreachable_remote(tmp_path: Path, kind: str) -> None:
    url = str(tmp_path / "does-not-exist.git") if kind == "missing-path" else "file:///nonexistent/deploy.git"
    error = sync_error(url, tmp_path)
    assert url in error.diagnostic.message and "does not appear to be a git repository" in error.diagnostic.message
    assert error.__cause__ is None and error.__suppress_context__  # no GitPython exception chained along


def test_pre_receive_hook_rejection(remote: Path, tmp_path: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'deploys are frozen until Monday' >&2\nexit 1\n")
    hook.chmod(0o755)
    error = sync_error(str(remote), tmp_path)
    message = error.diagnostic.message
    assert "pre-receive hook declined" in message and "deploys are frozen until Monday" in message
    assert "(branch main)" in message
    assert history(remote) == []


def test_a_checked_out_non_bare_remote_is_refused_cleanly(tmp_path: Path) -> None:
    remote = tmp_path / "work"
    with git.Repo.init(remote, initial_branch="main") as work:
        (remote / "x").write_text("x")
        work.git.add("x")
        work.git.commit("-qm", "x")
    error = sync_error(str(remote), tmp_path)
    assert "branch is currently checked out" in error.diagnostic.message


def test_credentials_never_reach_the_message(tmp_path: Path) -> None:
    url = "http://alice:s3cr3t-t0ken@127.0.0.1:9/deploy.git"  # nothing listens on the discard port
    error = sync_error(url, tmp_path)
    text = f"{error.diagnostic.message} {error.diagnostic.hint} {error}"
    assert "s3cr3t" not in text and "alice" not in text
    assert "http://127.0.0.1:9/deploy.git" in text


def test_a_password_prompt_never_waits(tmp_path: Path) -> None:
    class AuthRequired(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="deploy"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), AuthRequired) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            error = sync_error(f"http://127.0.0.1:{server.server_port}/deploy.git", tmp_path)
        finally:
            server.shutdown()
    assert "terminal prompts disabled" in error.diagnostic.message


def test_a_foreign_folder_in_place_of_the_cache_is_not_deleted(remote: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "precious.txt").write_text("mine")
    error = sync_error(str(remote), tmp_path)
    assert "is not a git repository" in error.diagnostic.message
    assert (cache / "precious.txt").read_text() == "mine"


def test_the_cache_follows_a_changed_url(tmp_path: Path) -> None:
    first, second = (make_remote(tmp_path / name) for name in ("one.git", "two.git"))
    cache = tmp_path / "cache"
    GitDeployRepository(DeployTarget(cache, url=str(first))).sync(build(FILES))
    GitDeployRepository(DeployTarget(cache, url=str(second))).sync(build(FILES))
    assert tree(first) == FILES and tree(second) == FILES


def test_cli_style_run_prints_no_traceback(tmp_path: Path) -> None:
    """What a caller sees end to end: the diagnostic, exit code 3, nothing from GitPython on stderr."""
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from compiler.adapters.deploy import DeployTarget, GitDeployRepository, Rendered
        from compiler.diagnostics import EdgecError
        try:
            GitDeployRepository(DeployTarget(Path(sys.argv[1]), url=sys.argv[2])).sync(
                lambda state: Rendered({"plan.json": b"{}"}, "m"))
        except EdgecError as exc:
            print(f"error[{exc.diagnostic.code}] {exc.diagnostic.message}", file=sys.stderr)
            sys.exit(int(exc.exit_code))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "cache"), "file:///nonexistent/deploy.git"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 3
    assert proc.stderr.startswith("error[git-failed] fetching file:///nonexistent/deploy.git (branch main): ")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
