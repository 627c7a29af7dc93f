"""Registry authentication: Basic, and the Bearer token flow of the distribution spec.

A registry answers 401 with `WWW-Authenticate: Basic realm=...` or `Bearer realm=...,service=...,scope=...`.
For Bearer, a token is fetched from the realm (with Basic credentials, an identity token as an OAuth refresh
token, or anonymously), kept per repository and replaced when the registry challenges for another scope or the
token expired. Credentials go only to the registry host and its token realm, never over plain HTTP to a host
that is not loopback unless the caller allows it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from compiler.adapters.oci.credentials import Credentials
from compiler.adapters.oci.redact import Redactor

_PARAM = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')
_REPOSITORY_PATH = re.compile(r"^/v2/(.+?)/(?:blobs|manifests|tags|referrers)/")
_LOOPBACK = ("127.", "localhost", "[::1]", "::1")
_TOKEN_LIMIT = 1 << 20

Exchange = Callable[[str, str, Mapping[str, str], bytes | None], "AuthAnswer"]


@dataclass(frozen=True)
class AuthAnswer:
    """What the token realm answered (the transport's response, kept small here to avoid a cycle)."""

    status: int
    content: bytes


class AuthRefused(Exception):
    """The token server refused, or credentials would have to travel where they must not."""


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "basic" or "bearer"
    params: Mapping[str, str]


def parse_challenge(header: str) -> Challenge | None:
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {m[1].lower(): (m[2] if m[2] is not None else m[3]) for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)


def is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return name.startswith(_LOOPBACK) or name == "localhost"


def repository_of(path: str) -> str:
    """The repository a `/v2/<name>/...` path addresses ("" for `/v2/` itself): the token cache key."""
    match = _REPOSITORY_PATH.match(path)
    return match[1] if match else ""


class RegistryAuth:
    """Authorization headers for one registry host; `answer` reacts to a 401 and says whether to retry."""

    def __init__(self, host: str, credentials: Credentials | None, *, exchange: Exchange, redactor: Redactor,
                 allow_plain_credentials: bool = False) -> None:
        self.host = host
        self._credentials = credentials
        self._exchange = exchange
        self._redact = redactor
        self._allow_plain = allow_plain_credentials
        self._basic = False
        self._tokens: dict[str, str] = {}

    def headers(self, url: str) -> dict[str, str]:
        parts = urlsplit(url)
        if parts.netloc != self.host:
            return {}  # never hand credentials to another host (blob redirects, upload locations elsewhere)
        token = self._tokens.get(repository_of(parts.path))
        if token is not None:
            return {"Authorization": f"Bearer {token}"}
        if self._basic and self._credentials is not None and not self._credentials.identity_token:
            return {"Authorization": "Basic " + _basic(self._credentials)}
        return {}

    def answer(self, url: str, status: int, www_authenticate: str) -> bool:
        """After a 401: True when new headers are ready (retry once), False when nothing more can be tried."""
        parts = urlsplit(url)
        if status != 401 or parts.netloc != self.host:
            return False
        challenge = parse_challenge(www_authenticate)
        if challenge is None:
            return False
        if challenge.scheme == "basic":
            if self._basic or self._credentials is None or self._credentials.identity_token:
                return False  # a Basic challenge after sending Basic credentials is a plain refusal
            self._basic = True
            return True
        if challenge.scheme != "bearer" or not challenge.params.get("realm"):
            return False
        self._tokens[repository_of(parts.path)] = self._fetch_token(challenge.params)
        return True

    def _fetch_token(self, params: Mapping[str, str]) -> str:
        realm = params["realm"]
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AuthRefused(f"the registry named an invalid token realm {realm!r}")
        query = {k: params[k] for k in ("service", "scope") if params.get(k)}
        creds = self._credentials
        if creds is not None and parts.scheme == "http" and not is_loopback(parts.netloc) and not self._allow_plain:
            raise AuthRefused(f"token server {parts.netloc} is plain HTTP: credentials are not sent there")
        if creds is not None and creds.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": creds.password, "client_id": "edgec", **query}
            answer = self._exchange("POST", realm, {"Content-Type": "application/x-www-form-urlencoded"},
                                    urlencode(form).encode())
        else:
            url = realm + ("&" if parts.query else "?") + urlencode(query) if query else realm
            headers = {"Authorization": "Basic " + _basic(creds)} if creds is not None else {}
            answer = self._exchange("GET", url, headers, None)
        who = f"token server {parts.netloc}"
        if answer.status in (401, 403):
            whom = f"the credentials ({creds})" if creds is not None else "anonymous access"
            raise AuthRefused(f"{who} refused {whom} (HTTP {answer.status}){_detail(answer.content, self._redact)}")
        if answer.status != 200:
            raise AuthRefused(f"{who} answered HTTP {answer.status}{_detail(answer.content, self._redact)}")
        try:
            if len(answer.content) > _TOKEN_LIMIT:
                raise ValueError("too large")
            document = json.loads(answer.content)
            token = document.get("token") or document.get("access_token")
            if not isinstance(token, str) or not token:
                raise ValueError("no token")
        except (ValueError, AttributeError):
            raise AuthRefused(f"{who} answered without a token") from None
        self._redact.add(token)
        return token


def _basic(creds: Credentials | None) -> str:
    assert creds is not None
    return base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode("ascii")


def _detail(content: bytes, redact: Redactor) -> str:
    text = content[:300].decode("utf-8", "replace").strip()
    return f": {redact(text)}" if text else ""
