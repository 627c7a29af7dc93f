"""How a `deployRepo.url` is read: a local path (git's local transport) or a URL another machine can fetch."""

from __future__ import annotations

import re

_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_SCP_LIKE = re.compile(r"^[^/]+:")  # git's `[user@]host:path`: a colon before the first slash


def is_local_path(url: str) -> bool:
    """True for a plain path (git's local transport), as opposed to `scheme://...` or `host:path`."""
    return not _URL_SCHEME.match(url) and not _SCP_LIKE.match(url)


def is_fetchable_elsewhere(url: str) -> bool:
    """True for a URL a GitOps controller on another machine can fetch: not a path and not `file://`."""
    return not is_local_path(url) and not url.lower().startswith("file://")
