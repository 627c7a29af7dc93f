from __future__ import annotations

from pathlib import Path

import pytest

from .gitutil import TEST_IDENTITY, make_remote

_LEAKY = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
          "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
          "all_proxy", "ALL_PROXY")


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No machine git config (so no global identity to lean on): a test identity through the environment."""
    empty = tmp_path_factory.mktemp("gitconfig") / "empty"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in _LEAKY:
        monkeypatch.delenv(name, raising=False)
    for name, value in TEST_IDENTITY.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path / "remote.git")
