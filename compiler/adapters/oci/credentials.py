"""Registry credentials: from `EDGEC_REGISTRY_USERNAME`/`EDGEC_REGISTRY_PASSWORD`, else the Docker config.

The Docker config is read as the Docker CLI reads it: `credHelpers.<host>`, then `credsStore`, run through the
docker-credential helper protocol (`docker-credential-NAME get`, the server URL on stdin, `{"ServerURL",
"Username", "Secret"}` on stdout), then `auths.<host>`. The caller passes the environment (`os.environ`), so the
core never reads it. Credentials never appear in a message, a repr or a log line; a helper's own output is never
quoted (it may hold the secret).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from compiler.diagnostics import fail

USERNAME_VAR = "EDGEC_REGISTRY_USERNAME"
PASSWORD_VAR = "EDGEC_REGISTRY_PASSWORD"
_DOCKER_HUB = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_DOCKER_HUB_SERVER = "https://index.docker.io/v1/"  # the server URL Docker hands helpers for Docker Hub
IDENTITY_TOKEN_USER = "<token>"  # a helper's Username for an identity (OAuth refresh) token
HELPER_TIMEOUT = 30.0
_HELPER_OUTPUT_LIMIT = 1 << 20


@dataclass(frozen=True)
class Credentials:
    """Basic credentials. `source` says where they came from (for messages; never the secret itself)."""

    username: str
    password: str = field(repr=False)
    source: str = "environment"

    @property
    def identity_token(self) -> bool:
        """The password is an OAuth refresh token (a helper answered `Username: <token>`): exchanged, never Basic."""
        return self.username == IDENTITY_TOKEN_USER

    def __str__(self) -> str:
        return f"user {self.username!r} from {self.source}"


def registry_host(registry: str) -> str:
    """`host:port` of a registry setting such as `localhost:5000/edge`."""
    return registry.split("/", 1)[0]


def credentials_from_environment(env: Mapping[str, str], registry_host: str) -> Credentials | None:
    """Credentials for `registry_host` (`host[:port]`), or None for anonymous access.

    Order: the two `EDGEC_REGISTRY_*` variables (both or neither), then in `$DOCKER_CONFIG/config.json` or
    `$HOME/.docker/config.json`: the helper `credHelpers.<host>`, the helper `credsStore`, and
    `auths.<host>.auth` (base64 `user:password`). A helper that knows no credentials for the host falls through
    to `auths`, then to anonymous access.
    """
    username, password = _decoded(env, USERNAME_VAR), _decoded(env, PASSWORD_VAR)
    if username or password:
        if not (username and password):
            missing = PASSWORD_VAR if username else USERNAME_VAR
            raise fail("registry-auth", f"{missing} is not set while {USERNAME_VAR if username else PASSWORD_VAR} is",
                       hint="set both variables, or neither to use the Docker config or anonymous access")
        return Credentials(username, password, "environment")
    config = docker_config_path(env)
    if config is None or not config.is_file():
        return None
    return _from_docker_config(config, registry_host, env)


def _decoded(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value; bytes that are not UTF-8 (surrogate-escaped by Python) are a clear error."""
    value = env.get(name)
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise fail("registry-auth", f"{name} is not valid UTF-8",
                   hint="set it to the credential as UTF-8 text (check the CI secret's encoding)") from None
    return value


def docker_config_path(env: Mapping[str, str]) -> Path | None:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]) / "config.json"
    if env.get("HOME"):
        return Path(env["HOME"]) / ".docker" / "config.json"
    return None


def _from_docker_config(path: Path, host: str, env: Mapping[str, str]) -> Credentials | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        auths = document.get("auths", {}) if isinstance(document, dict) else None
        if not isinstance(auths, dict):
            raise ValueError("'auths' is not an object")
        helpers = document.get("credHelpers", {})
        store = document.get("credsStore")
        if not isinstance(helpers, dict) or not (store is None or isinstance(store, str)):
            raise ValueError("'credHelpers' is not an object or 'credsStore' is not a string")
    except (OSError, ValueError, AttributeError) as exc:
        raise fail("registry-auth", f"cannot read the Docker config {path}: {type(exc).__name__}") from None
    wanted = _normalise_host(host)
    helper = next((str(helpers[key]) for key in sorted(helpers) if _normalise_host(key) == wanted), None) or store
    if helper:
        found = run_credential_helper(helper, _server_url(host), env, config=path)
        if found is not None:
            return found
    return _from_auths(auths, wanted, path)


def _from_auths(auths: dict[str, object], wanted: str, path: Path) -> Credentials | None:
    for key in sorted(auths):
        entry = auths[key]
        if _normalise_host(key) != wanted or not isinstance(entry, dict):
            continue
        if entry.get("auth"):
            return _decode_auth(entry["auth"], path, key)
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]), f"{path} ({key})")
    return None


def run_credential_helper(name: str, server_url: str, env: Mapping[str, str], *, config: Path,
                          timeout: float = HELPER_TIMEOUT) -> Credentials | None:
    """`docker-credential-<name> get`: None when the helper has no credentials for `server_url`."""
    program = f"docker-credential-{name}"
    where = f"credential helper {program} (from {config})"
    if not name or "/" in name or name.startswith("."):
        raise fail("registry-auth", f"the Docker config {config} names an invalid credential helper {name!r}")
    executable = shutil.which(program, path=env.get("PATH", os.defpath))
    if executable is None:
        raise fail("registry-auth", f"{where} is not on PATH",
                   hint=f"install {program}, or remove it from the Docker config")
    try:
        answer = subprocess.run([executable, "get"], input=server_url.encode(), capture_output=True,
                                env=dict(env), timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise fail("registry-auth", f"{where} did not answer within {timeout:.0f} s",
                   hint="it may be waiting for a prompt (unlock the keychain) or hanging") from None
    except OSError as exc:
        raise fail("registry-auth", f"{where} cannot run: {exc.strerror or type(exc).__name__}") from None
    if answer.returncode != 0:
        if b"credentials not found" in answer.stdout.lower() + answer.stderr.lower():
            return None
        raise fail("registry-auth", f"{where} failed (exit {answer.returncode}) for {server_url}",
                   hint=f"run `echo {server_url} | {program} get` to see why")
    try:
        if len(answer.stdout) > _HELPER_OUTPUT_LIMIT:
            raise ValueError("answer too large")
        document = json.loads(answer.stdout.decode("utf-8"))
        username, secret = document["Username"], document["Secret"]
        if not isinstance(username, str) or not isinstance(secret, str):
            raise ValueError("Username and Secret must be strings")
    except (ValueError, KeyError, TypeError):
        raise fail("registry-auth", f"{where} answered something that is not credentials JSON",
                   hint='a helper prints {"ServerURL": ..., "Username": ..., "Secret": ...}') from None
    if not secret:
        return None
    return Credentials(username, secret, where)


def _server_url(host: str) -> str:
    """What Docker hands a helper: the registry host, or Docker Hub's historical index URL."""
    return _DOCKER_HUB_SERVER if _normalise_host(host) == "docker.io" else host


def _decode_auth(value: object, path: Path, key: str) -> Credentials:
    try:
        decoded = base64.b64decode(str(value), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    username, sep, password = decoded.partition(":")
    if not (sep and username):
        raise fail("registry-auth", f"the Docker config {path} has a malformed 'auth' entry for {key!r}",
                   hint="it must be base64 of 'username:password'; run `docker login` again")
    return Credentials(username, password, f"{path} ({key})")


def _normalise_host(key: str) -> str:
    """Docker's rule: a config key may be a URL (`https://host/v1/`); only its host[:port] counts."""
    host = urlsplit(key).netloc if "://" in key else key.split("/", 1)[0]
    host = host.lower()
    return "docker.io" if host in _DOCKER_HUB else host
