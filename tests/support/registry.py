"""Run Debian's `docker-registry` (CNCF distribution 2.8.2) on a free loopback port for tests.

    with running_registry(tmp_path) as server:            # anonymous
        server.registry                                    # "127.0.0.1:<port>"
    with running_registry(tmp_path, users={"alice": "pw"}) as server:   # htpasswd basic auth

`server.stop()` / `server.start()` restart it on the same port and storage (outage tests). Tests call
`require_registry()` (or use the fixtures in tests/oci/conftest.py) to skip when the binary is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import bcrypt

READY_TIMEOUT = 10.0


def registry_binary() -> str | None:
    found = shutil.which("docker-registry")
    if found:
        return found
    return "/usr/bin/docker-registry" if os.access("/usr/bin/docker-registry", os.X_OK) else None


def require_registry() -> str:
    import pytest

    binary = registry_binary()
    if binary is None:
        pytest.skip("docker-registry (Debian package `docker-registry`, distribution 2.8) is not installed")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def htpasswd_line(user: str, password: str) -> str:
    """A bcrypt htpasswd entry. Cost 4 (the minimum): the registry checks it on every request."""
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    return f"{user}:{hashed}"


class RegistryServer:
    """One registry process with its own config, storage and log under `workdir`."""

    def __init__(self, workdir: Path, *, users: Mapping[str, str] | None = None, binary: str | None = None,
                 auth_lines: list[str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.binary = binary or require_registry()
        self.port = free_port()
        self.users = dict(users or {})
        self.auth_lines = auth_lines  # e.g. TokenServer.registry_auth_lines() (tests/support/token_server.py)
        self.storage = self.workdir / "storage"
        self.config = self.workdir / "config.yml"
        self.log = self.workdir / "registry.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    @property
    def registry(self) -> str:
        """`host:port`, as `registry:` in edgec.yaml takes it (add `/prefix` as needed)."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.registry}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.storage.mkdir(exist_ok=True)
        lines = [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {self.storage}",
            "  delete:",
            "    enabled: true",
            "http:",
            f"  addr: {self.registry}",
            "  secret: edgec-test-secret",
        ]
        if self.auth_lines:
            lines += self.auth_lines
        elif self.users:
            htpasswd = self.workdir / "htpasswd"
            htpasswd.write_text("".join(htpasswd_line(u, p) + "\n" for u, p in sorted(self.users.items())))
            lines += ["auth:", "  htpasswd:", "    realm: edgec-test", f"    path: {htpasswd}"]
        self.config.write_text("\n".join(lines) + "\n")

    def start(self) -> RegistryServer:
        if self.running:
            return self
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                [self.binary, "serve", str(self.config)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        self._wait_ready()
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"docker-registry exited early:\n{self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + "/v2/", timeout=1):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code == 401:  # up, and asking for credentials
                    return
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"docker-registry did not answer on {self.url} within {READY_TIMEOUT} s")

    def __enter__(self) -> RegistryServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_registry(workdir: Path, *, users: Mapping[str, str] | None = None) -> Iterator[RegistryServer]:
    with RegistryServer(workdir, users=users) as server:
        yield server


def helm_binary() -> str | None:
    """`EDGEC_HELM`, else `helm` on PATH, else the static binary CI unpacks to /tmp/helmdl/helm/helm."""
    candidates = [os.environ.get("EDGEC_HELM"), shutil.which("helm"), "/tmp/helmdl/helm/helm"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def helm_env(home: Path) -> dict[str, str]:
    """Environment for a helm process isolated from the user's own Helm setup."""
    env = dict(os.environ)
    for var, sub in (("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"), ("HELM_DATA_HOME", "data")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["HELM_REGISTRY_CONFIG"] = str(home / "config" / "registry.json")
    env.pop("DOCKER_CONFIG", None)
    return env
