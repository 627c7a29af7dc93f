"""Keep secrets out of every message that comes from outside (registry and token-server bodies, echoed headers).

A registry or a proxy may echo request headers into an error body; CI log masking hides a password but not its
base64 or the token it was exchanged for. `Redactor` replaces each known secret in its plain, base64
(`user:password`, `password`) and token forms, and any `Basic`/`Bearer` credential or JSON token field whatever
its value, so an unknown token cannot leak either.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

REDACTED = "[redacted]"
_SCHEME_VALUE = re.compile(r"(?i)\b(basic|bearer)(\s+)[A-Za-z0-9._~+/=-]{4,}")
_TOKEN_FIELD = re.compile(r'(?i)("(?:access_token|refresh_token|token|password|secret|identitytoken)"\s*:\s*)"[^"]*"')
_MIN_SECRET = 4  # shorter values would redact ordinary words


class Redactor:
    """Replaces registered secrets (and their encodings) and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str, *, username: str | None = None) -> None:
        """Register `secret`; with `username`, also the base64 of `username:secret` that Basic auth sends."""
        if len(secret) < _MIN_SECRET:
            return
        forms = {secret, _b64(secret)}
        if username is not None:
            forms.add(_b64(f"{username}:{secret}"))
        for form in forms:
            self._forms.add(form)
            self._forms.add(form.rstrip("="))

    def __call__(self, text: str) -> str:
        for form in sorted(self._forms, key=len, reverse=True):
            if form and form in text:
                text = text.replace(form, REDACTED)
        text = _SCHEME_VALUE.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}", text)
        return _TOKEN_FIELD.sub(lambda m: f'{m[1]}"{REDACTED}"', text)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogateescape")).decode("ascii")
