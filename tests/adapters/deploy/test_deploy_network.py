"""Network git: bounded (a git:// server on 127.0.0.1 that accepts and never answers), never prompting (ssh in
batch mode), and no credential in the checkout's config or in any message, in every URL form."""

from __future__ import annotations

import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.adapters.deploy import DeployTarget, GitDeployRepository, redact_url
from compiler.diagnostics import EdgecError

from .gitutil import build

FILES = {"plan.json": b"{}\n", "edges/a/values.yaml": b"a\n"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_server_that_never_answers_times_out_naming_host_and_operation(silent_server: int, tmp_path: Path) -> None:
    url = f"git://127.0.0.1:{silent_server}/deploy.git"
    repo = GitDeployRepository(DeployTarget(tmp_path / "cache", url=url, timeout=2))
    started = time.monotonic()
    with pytest.raises(EdgecError) as info:
        repo.sync(build(FILES))
    assert time.monotonic() - started < 30
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "git-failed" and int(info.value.exit_code) == 3
    assert diagnostic.message == f"fetching {url} (branch main): timed out after 2 s with no answer"
    assert diagnostic.hint is not None and "deployRepo.timeout" in diagnostic.hint


def test_ssh_runs_in_batch_mode_and_never_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git starts the configured ssh; edgec adds BatchMode and a connect timeout to it."""
    record = tmp_path / "ssh-args"
    (tmp_path / "bin").mkdir()
    fake_ssh = tmp_path / "bin" / "ssh"  # named ssh, so that git treats it as OpenSSH
    fake_ssh.write_text(f"#!/bin/sh\necho \"$@\" >> {record}\necho 'Permission denied (publickey).' >&2\nexit 255\n")
    fake_ssh.chmod(fake_ssh.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake_ssh))
    monkeypatch.delenv("GIT_SSH", raising=False)
    target = DeployTarget(tmp_path / "cache", url="ssh://git@127.0.0.1:2222/deploy.git", timeout=7)
    with pytest.raises(EdgecError) as info:
        GitDeployRepository(target).sync(build(FILES))
    assert info.value.diagnostic.code == "git-failed" and "Permission denied" in info.value.diagnostic.message
    args = record.read_text()
    assert "-o BatchMode=yes -o ConnectTimeout=7" in args and "127.0.0.1" in args


@pytest.mark.parametrize("url", [
    "https://robot:s3cr3t-token@127.0.0.1:1/deploy.git",
    "ssh://robot:s3cr3t-token@127.0.0.1:1/deploy.git",
    "robot:s3cr3t-token@127.0.0.1:deploy.git",
])
def test_no_credential_in_the_checkout_config_or_the_message(url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", "false")  # no real ssh: the URL's password must not matter anyway
    target = DeployTarget(tmp_path / "cache", url=url, timeout=10)
    with pytest.raises(EdgecError) as info:
        GitDeployRepository(target).sync(build(FILES))
    assert "s3cr3t" not in info.value.diagnostic.message and "s3cr3t" not in (info.value.diagnostic.hint or "")
    assert "s3cr3t" not in (target.cache_dir / ".git" / "config").read_text()
    assert "s3cr3t" not in target.display_url


def test_the_remote_url_stays_out_of_the_config_and_an_old_cache_is_cleaned(remote: Path, tmp_path: Path) -> None:
    target = DeployTarget(tmp_path / "cache", url=str(remote))
    config = target.cache_dir / ".git" / "config"
    assert GitDeployRepository(target).sync(build(FILES)).changed
    assert str(remote) not in config.read_text() and "[remote" not in config.read_text()
    with config.open("a") as out:  # as an earlier edgec kept it
        out.write(f'[remote "origin"]\n\turl = {remote}\n')
    assert GitDeployRepository(target).sync(build({**FILES, "plan.json": b"[]\n"})).changed
    assert "[remote" not in config.read_text()


def test_redaction_covers_every_url_form() -> None:
    text = ("fetching robot:tok3n@github.com:org/deploy.git and https://u:p4ss@host/x and "
            "ssh://git@host/y and git@github.com:org/z.git")
    assert redact_url(text) == ("fetching github.com:org/deploy.git and https://host/x and ssh://git@host/y and "
                                "git@github.com:org/z.git")
    assert redact_url("robot@host:path") == "robot@host:path"
