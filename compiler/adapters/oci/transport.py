"""HTTP to an OCI registry: one exchange at a time, with connect, write and read timeouts of their own.

Built on `http.client` rather than requests/oras-py because the timeouts must be separate (checked, urllib3
2.7): urllib3 keeps the *connect* timeout as the socket timeout while it sends a request body, so a registry
that stops reading for a few seconds (fsync of a large blob) aborted the upload. Here the connect timeout bounds
the TCP and TLS handshake, the write timeout bounds each stall while a body is sent, and the read timeout
each stall while waiting for or reading the answer. Proxies come from the usual `HTTPS_PROXY`/`HTTP_PROXY`/
`NO_PROXY` variables. Authentication (Basic, Bearer tokens) is `compiler.adapters.oci.auth`; every low-level
error becomes `TransportError`, whose message names the host, and never a secret.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from compiler.adapters.oci.auth import AuthAnswer, AuthRefused, RegistryAuth
from compiler.adapters.oci.credentials import Credentials
from compiler.adapters.oci.redact import Redactor

_SEND_SLICE = 64 * 1024  # the write timeout bounds a stall, not a whole chunk: send in slices
_BODY_LIMIT = 64 * 1024 * 1024
_REDIRECTS = 5


@dataclass(frozen=True)
class Timeouts:
    """Seconds. connect: TCP + TLS handshake; write: longest stall while sending; read: longest wait for bytes."""

    connect: float = 10.0
    read: float = 60.0
    write: float = 60.0


DEFAULT_TIMEOUTS = Timeouts()

@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    content: bytes = b""


class TransportError(Exception):
    """The request got no HTTP answer. `retryable`: refused or reset; `timeout`: which timeout expired."""

    def __init__(self, message: str, *, retryable: bool, hint: str | None = None, timeout: str | None = None
                 ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.hint = hint
        self.timeout = timeout


class AuthError(Exception):
    """Authentication could not proceed (token server refused, credentials would travel in clear text)."""


class Transport(Protocol):
    """One HTTP exchange with the registry; `url` is a path (`/v2/...`) or an absolute URL (upload sessions)."""

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> HttpResponse: ...


#: Methods repeated blindly on a fresh connection when a kept-alive one turns out closed. Not PATCH, POST or
#: PUT: the server may have taken the request before the connection dropped, and a repeated chunk would be
#: appended twice; the upload recovers those by asking the registry for its offset instead.
_SAFE_TO_REPEAT = frozenset({"GET", "HEAD"})


class HttpTransport:
    def __init__(self, host: str, *, insecure: bool, credentials: Credentials | None,
                 timeouts: Timeouts = DEFAULT_TIMEOUTS, redactor: Redactor | None = None,
                 allow_plain_credentials: bool = False, environ: Mapping[str, str] | None = None) -> None:
        self.host = host
        self.timeouts = timeouts
        self._base = f"{'http' if insecure else 'https'}://{host}"
        self.redact = redactor or Redactor()
        if credentials is not None:
            self.redact.add(credentials.password, username=credentials.username)
        self._proxies = _proxies(environ)
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}
        self._proxied: set[tuple[str, str]] = set()  # plain-HTTP targets sent to a proxy (absolute URLs)
        self.auth = RegistryAuth(host, credentials, exchange=self._token_exchange, redactor=self.redact,
                                 allow_plain_credentials=allow_plain_credentials)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> HttpResponse:
        full = url if url.startswith(("http://", "https://")) else self._base + url
        retried = False
        for _ in range(_REDIRECTS + 1):
            sent = {**(headers or {}), **self.auth.headers(full)}
            response = self._exchange(method, full, sent, data)
            if response.status == 401 and not retried:
                try:
                    if self.auth.answer(full, 401, response.headers.get("www-authenticate", "")):
                        retried = True
                        continue
                except AuthRefused as exc:
                    raise AuthError(str(exc)) from None
            if response.status in (301, 302, 303, 307, 308) and method in ("GET", "HEAD") \
                    and response.headers.get("location"):
                full = urljoin(full, response.headers["location"])
                continue
            return response
        raise TransportError(f"{self.host}: more than {_REDIRECTS} redirects", retryable=False)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    # ------------------------------------------------------------------------------------------ internals
    def _token_exchange(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None
                        ) -> AuthAnswer:
        response = self._exchange(method, url, headers, data, what="token server")
        return AuthAnswer(response.status, response.content)

    def _exchange(self, method: str, url: str, headers: Mapping[str, str], data: bytes | None, *,
                  what: str = "registry") -> HttpResponse:
        parts = urlsplit(url)
        target = f"{what} {parts.netloc}"
        fresh = False
        while True:  # at most twice: the second attempt is on a fresh connection
            connection, reused = self._connection(parts.scheme, parts.netloc, fresh=fresh)
            try:
                return self._send(connection, method, url, headers, data)
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
                self._drop(parts.scheme, parts.netloc)
                if reused and not fresh and method in _SAFE_TO_REPEAT:
                    fresh = True
                    continue  # a kept-alive connection the server had closed: once more on a new one
                raise TransportError(f"{target}: connection lost ({_reason(exc)})", retryable=True) from None
            except _Timeout as exc:
                self._drop(parts.scheme, parts.netloc)
                seconds = getattr(self.timeouts, exc.phase)
                raise TransportError(f"{target}: no progress within {seconds:g} s ({exc.phase} timeout)",
                                     retryable=False, timeout=exc.phase,
                                     hint=f"raise `registryTimeouts.{exc.phase}` if the registry is just slow"
                                     ) from None
            except ssl.SSLError as exc:
                self._drop(parts.scheme, parts.netloc)
                raise TransportError(f"{target}: TLS handshake failed ({_reason(exc)})", retryable=False,
                                     hint="for a plain-HTTP registry set `insecureRegistry: true`") from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop(parts.scheme, parts.netloc)
                raise TransportError(f"{target}: {_reason(exc)}", retryable=True) from None

    def _send(self, connection: http.client.HTTPConnection, method: str, url: str, headers: Mapping[str, str],
              data: bytes | None) -> HttpResponse:
        parts = urlsplit(url)
        if connection.sock is None:
            connection.timeout = self.timeouts.connect
            try:
                connection.connect()
            except TimeoutError:
                raise _Timeout("connect") from None
        sock = connection.sock
        assert sock is not None
        proxied = parts.scheme == "http" and (parts.scheme, parts.netloc) in self._proxied
        path = url if proxied else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            sock.settimeout(self.timeouts.write)
            connection.putrequest(method, path, skip_accept_encoding=True)
            body = data or b""
            for name, value in headers.items():
                connection.putheader(name, value)
            if (data is not None or method in ("POST", "PUT", "PATCH")) and \
                    "content-length" not in {name.lower() for name in headers}:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            view = memoryview(body)
            for start in range(0, len(view), _SEND_SLICE):
                sock.sendall(view[start:start + _SEND_SLICE])
        except TimeoutError:
            raise _Timeout("write") from None
        try:
            sock.settimeout(self.timeouts.read)
            response = connection.getresponse()
            content = _read_body(response)  # HEAD: empty, but it must be read for the next request
        except TimeoutError:
            raise _Timeout("read") from None
        if response.getheader("connection", "").lower() == "close":
            self._drop(parts.scheme, parts.netloc)
        return HttpResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, content)

    def _connection(self, scheme: str, netloc: str, *, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        key = (scheme, netloc)
        if fresh:
            self._drop(*key)
        existing = self._connections.get(key)
        if existing is not None:
            return existing, True
        host, port = _split(netloc, 443 if scheme == "https" else 80)
        proxy = _proxy_for(self._proxies, scheme, host)
        connection: http.client.HTTPConnection
        if scheme == "https":
            context = ssl.create_default_context()
            if proxy:
                connection = http.client.HTTPSConnection(*_split(proxy, 3128), context=context)
                connection.set_tunnel(host, port)
            else:
                connection = http.client.HTTPSConnection(host, port, context=context)
        elif proxy:
            connection = http.client.HTTPConnection(*_split(proxy, 3128))
            self._proxied.add(key)
        else:
            connection = http.client.HTTPConnection(host, port)
        self._connections[key] = connection
        return connection, False

    def _drop(self, scheme: str, netloc: str) -> None:
        connection = self._connections.pop((scheme, netloc), None)
        if connection is not None:
            connection.close()


class _Timeout(Exception):
    def __init__(self, phase: str) -> None:
        super().__init__(phase)
        self.phase = phase


def _read_body(response: http.client.HTTPResponse) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(1 << 16):
        total += len(chunk)
        if total > _BODY_LIMIT:
            raise http.client.HTTPException(f"answer larger than {_BODY_LIMIT >> 20} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _split(netloc: str, default_port: int) -> tuple[str, int]:
    netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    host, sep, port = netloc.rpartition(":")
    return (host, int(port)) if sep and port.isdigit() else (netloc, default_port)


def _proxies(environ: Mapping[str, str] | None) -> dict[str, str]:
    if environ is None:
        return {}
    found: dict[str, str] = {}
    for name in ("https_proxy", "http_proxy", "no_proxy"):
        value = environ.get(name) or environ.get(name.upper())
        if value:
            found[name] = value
    return found


def _proxy_for(proxies: Mapping[str, str], scheme: str, host: str) -> str | None:
    url = proxies.get(f"{scheme}_proxy")
    if not url:
        return None
    bypass = proxies.get("no_proxy", "")
    if bypass == "*" or any(host == entry.strip().lstrip(".") or host.endswith("." + entry.strip().lstrip("."))
                            for entry in bypass.split(",") if entry.strip()):
        return None
    return urlsplit(url if "://" in url else "http://" + url).netloc or None


def _reason(exc: BaseException) -> str:
    """The innermost cause of a socket error, without errno noise (e.g. 'Connection refused')."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)[:200]


__all__ = ["DEFAULT_TIMEOUTS", "AuthError", "HttpResponse", "HttpTransport", "Timeouts", "Transport", "TransportError"]
