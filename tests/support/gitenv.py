"""Hermetic git for tests: never the machine's config, a test identity through the environment."""

from __future__ import annotations

import pytest

TEST_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Person",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test Person",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}
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
