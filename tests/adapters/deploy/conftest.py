from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitenv import hermetic_git  # noqa: F401 - an autouse fixture for every deploy test

from .gitutil import make_remote


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path / "remote.git")
