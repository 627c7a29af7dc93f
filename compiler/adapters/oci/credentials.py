"""Registry credentials: from `EDGEC_REGISTRY_USERNAME`/`EDGEC_REGISTRY_PASSWORD`, else the Docker config.

Pure apart from reading the Docker config file: the caller passes the environment (`os.environ`), so the core
never reads it. Credentials never appear in a message, a repr or a log line.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from compiler.diagnostics import fail

USERNAME_VAR = "EDGEC_REGISTRY_USERNAME"
PASSWORD_VAR = "EDGEC_REGISTRY_PASSWORD"
_DOCKER_HUB = {"docker.io", "index.docker.io", "registry-1.docker.io"}


@dataclass(frozen=True)
class Credentials:
    """Basic credentials. `source` says where they came from (for messages; never the secret itself)."""

    username: str
    password: str = field(repr=False)
    source: str = "environment"

    def __str__(self) -> str:
        return f"user {self.username!r} from {self.source}"


def registry_host(registry: str) -> str:
    """`host:port` of a registry setting such as `localhost:5000/edge`."""
    return registry.split("/", 1)[0]


def credentials_from_environment(env: Mapping[str, str], registry_host: str) -> Credentials | None:
    """Credentials for `registry_host` (`host[:port]`), or None for anonymous access.

    Order: the two `EDGEC_REGISTRY_*` variables (both or neither), then `auths.<host>.auth` (base64
    `user:password`) in `$DOCKER_CONFIG/config.json` or `$HOME/.docker/config.json`. Credential helpers
    (`credsStore`, `credHelpers`) are not consulted.
    """
    username, password = env.get(USERNAME_VAR), env.get(PASSWORD_VAR)
    if username or password:
        if not (username and password):
            missing = PASSWORD_VAR if username else USERNAME_VAR
            raise fail("registry-auth", f"{missing} is not set while {USERNAME_VAR if username else PASSWORD_VAR} is",
                       hint="set both variables, or neither to use the Docker config or anonymous access")
        return Credentials(username, password, "environment")
    config = docker_config_path(env)
    if config is None or not config.is_file():
        return None
    return _from_docker_config(config, registry_host)


def docker_config_path(env: Mapping[str, str]) -> Path | None:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]) / "config.json"
    if env.get("HOME"):
        return Path(env["HOME"]) / ".docker" / "config.json"
    return None


def _from_docker_config(path: Path, host: str) -> Credentials | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        auths = document.get("auths", {}) if isinstance(document, dict) else None
        if not isinstance(auths, dict):
            raise ValueError("'auths' is not an object")
    except (OSError, ValueError, AttributeError) as exc:
        raise fail("registry-auth", f"cannot read the Docker config {path}: {type(exc).__name__}") from None
    wanted = _normalise_host(host)
    for key in sorted(auths):
        entry = auths[key]
        if _normalise_host(key) != wanted or not isinstance(entry, dict):
            continue
        if entry.get("auth"):
            return _decode_auth(entry["auth"], path, key)
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]), f"{path} ({key})")
    return None


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
