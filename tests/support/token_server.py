"""A token server for docker-registry's token auth (distribution 2.8 `auth.token`), on 127.0.0.1, for tests.

It signs RS256 JWTs whose header carries an `x5c` chain (a self-signed test certificate the registry trusts
through `rootcertbundle`), with `iss`, `aud` (the service), `exp`/`nbf`/`iat`, and `access` entries granting what
was asked: everything to `users` (Basic credentials), `pull` only to anonymous callers when `anonymous_pull`.
`requests` records (scope, user) of every token issued; `ttl` makes tokens expire quickly.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SERVICE = "edgec-test-registry"
ISSUER = "edgec-test-issuer"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    def __init__(self, workdir: Path, *, users: dict[str, str], anonymous_pull: bool = False,
                 ttl: int = 300) -> None:
        self.users, self.anonymous_pull, self.ttl = users, anonymous_pull, ttl
        self.requests: list[tuple[str, str | None]] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                      .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                      .not_valid_before(now - datetime.timedelta(days=1))
                      .not_valid_after(now + datetime.timedelta(days=1))
                      .sign(self._key, hashes.SHA256()))
        workdir.mkdir(parents=True, exist_ok=True)
        self.bundle = workdir / "token-ca.pem"
        self.bundle.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                owner._answer(self)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def registry_auth_lines(self) -> list[str]:
        return ["auth:", "  token:", f"    realm: {self.realm}", f"    service: {SERVICE}",
                f"    issuer: {ISSUER}", f"    rootcertbundle: {self.bundle}"]

    def __enter__(self) -> TokenServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        scope = (query.get("scope") or [""])[0]
        user = self._user(handler.headers.get("Authorization", ""))
        if user is False or (user is None and not self.anonymous_pull):
            handler.send_response(401)
            handler.send_header("Content-Type", "application/json")
            body = json.dumps({"details": "invalid credentials"}).encode()
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        access = []
        if scope.startswith("repository:"):
            _, name, actions = scope.split(":", 2)
            granted = actions.split(",") if user else [a for a in actions.split(",") if a == "pull"]
            access.append({"type": "repository", "name": name, "actions": granted})
        self.requests.append((scope, user or None))
        body = json.dumps({"token": self._token(user or "", access)}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _user(self, header: str) -> str | bool | None:
        """The user name, None for anonymous, False for wrong credentials."""
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user if self.users.get(user) == password else False

    def _token(self, subject: str, access: list[dict[str, Any]]) -> str:
        now = int(time.time())
        der = self._cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + self.ttl, "nbf": now - 10,
                  "iat": now, "jti": f"{now}-{len(self.requests)}", "access": access}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"
