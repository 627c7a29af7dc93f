"""HTTP to an OCI registry through oras-py. The only module that imports oras or requests.

edgec uses oras-py's requests session and auth backends (Basic, and Bearer token exchange) but none of its
push/pull helpers, for three checked reasons (oras-py 0.2.43):
- `Registry.do_request` is wrapped in a retry decorator that sleeps 3, 5, 11, 29 and 83 s on any error, so an
  unreachable registry would hang a compile for over two minutes; retries belong to `RegistryStore`, bounded.
- `upload_manifest` sends the manifest with requests' own JSON encoding, whose bytes (and digest) differ from
  the canonical manifest `render` pins; edgec uploads the exact bytes it digested.
- `push` has no `artifactType` and logs to the console; `pull` does not verify digests.
Every requests/oras exception is translated here into `TransportError`; oras is imported lazily (~0.3 s).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from compiler.adapters.oci.credentials import Credentials

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 120.0


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    content: bytes = b""


class TransportError(Exception):
    """The request got no HTTP answer. `retryable`: connection refused, reset or timed out."""

    def __init__(self, message: str, *, retryable: bool, hint: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.hint = hint


class Transport(Protocol):
    """One HTTP exchange with the registry; `url` is a path (`/v2/...`) or an absolute URL (upload sessions)."""

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> HttpResponse: ...


class OrasTransport:
    def __init__(self, host: str, *, insecure: bool, credentials: Credentials | None) -> None:
        self._base = f"{'http' if insecure else 'https'}://{host}"
        self._client = _client_class()(hostname=host, insecure=insecure, credentials=credentials)

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None
    ) -> HttpResponse:
        import requests

        full = url if url.startswith(("http://", "https://")) else self._base + url
        try:
            response = self._client.do_request(full, method, data=data, headers=dict(headers or {}))
            content = b"" if method == "HEAD" else response.content
        except requests.exceptions.SSLError as exc:
            raise TransportError(f"TLS handshake failed ({_reason(exc)})", retryable=False,
                                 hint="for a plain-HTTP registry set `insecureRegistry: true`") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise TransportError(_reason(exc), retryable=True) from None
        except (requests.exceptions.RequestException, ValueError, KeyError, AttributeError) as exc:
            # ValueError/KeyError/AttributeError: oras' token exchange on a malformed challenge or answer.
            raise TransportError(f"{type(exc).__name__}: {_reason(exc)}", retryable=False) from None
        return HttpResponse(response.status_code, {k.lower(): v for k, v in response.headers.items()}, content)


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests error, without the URL noise (e.g. 'Connection refused')."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    if "Errno" in text and "]" in text:
        text = text[text.index("]") + 1:].strip()
    return text[:200]


@cache
def _client_class() -> type[Any]:
    import oras.auth
    import oras.provider

    class Client(oras.provider.Registry):
        """oras' client with a single-shot `do_request`: auth handshake kept, hidden retries removed."""

        def __init__(self, *, hostname: str, insecure: bool, credentials: Credentials | None) -> None:
            super().__init__(hostname=hostname, insecure=insecure, auth_backend="basic" if credentials else "token")
            self.auth: Any = self.auth
            self._insecure = insecure
            self._credentials = credentials
            if credentials:
                self.auth.set_basic_auth(credentials.username, credentials.password)

        def do_request(
            self,
            url: str,
            method: str = "GET",
            data: bytes | None = None,
            headers: dict[str, str] | None = None,
            json: Any = None,
            stream: bool = False,
        ) -> Any:
            headers = dict(headers or {})
            if urlsplit(url).netloc == self.hostname:  # never hand credentials to another host (upload URLs)
                headers.update(self.auth.get_auth_header())  # Basic, or a Bearer token once obtained

            def send(h: dict[str, str]) -> Any:
                return self.session.request(method, url, data=data, json=json, headers=h, stream=stream,
                                            verify=self._tls_verify, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))

            response = send(headers)
            challenge = response.headers.get("Www-Authenticate", "")
            if response.status_code not in (401, 403) or not challenge.lower().startswith("bearer"):
                return response  # a Basic challenge after sending Basic credentials is a plain refusal
            if isinstance(self.auth, oras.auth.BasicAuth) and self._credentials:
                # The registry wants a token exchange: oras' token backend does it with the same credentials.
                token_auth = oras.auth.get_auth_backend("token", self.session, self._insecure,
                                                        tls_verify=self._tls_verify)
                token_auth.set_basic_auth(self._credentials.username, self._credentials.password)
                self.auth = token_auth
            headers.pop("Authorization", None)
            headers, changed = self.auth.authenticate_request(response, headers, refresh=True)
            return send(headers) if changed else response

    return Client

