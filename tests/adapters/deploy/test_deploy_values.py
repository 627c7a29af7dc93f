"""The pure parts: trailers, URL redaction, ownership rule, target settings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from compiler.adapters.deploy import DeployTarget, cache_dir_for, commit_trailers, is_managed, redact_url
from compiler.adapters.deploy.base import check_rendered_files
from compiler.diagnostics import EdgecError
from compiler.spec.model import DeployRepo, GitAuthor


def test_commit_trailers_parse_as_git_trailers() -> None:
    trailers = commit_trailers("abc123-dirty", "0.1.0")
    assert trailers == "Source-Commit: abc123-dirty\nEdgec-Version: 0.1.0"
    message = f"edgec: compile\n\nbody line\n\n{trailers}\n"
    parsed = subprocess.run(["git", "interpret-trailers", "--parse"], input=message, capture_output=True,
                            text=True, check=True).stdout
    assert parsed == trailers + "\n"
    assert commit_trailers(None, "0.1.0") == "Edgec-Version: 0.1.0"
    with pytest.raises(ValueError):
        commit_trailers("abc\nEvil: yes", "0.1.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pass@host/r.git", "https://host/r.git"),
        ("https://ghp_token@host/r.git", "https://host/r.git"),
        ("unable to access 'http://u:p@h:9/x/': refused", "unable to access 'http://h:9/x/': refused"),
        ("ssh://git@host/r.git", "ssh://git@host/r.git"),
        ("ssh://git:pw@host/r.git", "ssh://host/r.git"),
        ("git@host:org/r.git", "git@host:org/r.git"),
        ("/srv/deploy.git", "/srv/deploy.git"),
    ],
)
def test_redact_url(text: str, expected: str) -> None:
    assert redact_url(text) == expected


def test_ownership_rule() -> None:
    assert is_managed("edges/a/values.yaml") and is_managed("plan.json") and is_managed("PLAN.md")
    assert is_managed("edgec.lock.json") and is_managed("edges")
    assert not is_managed("README.md") and not is_managed("edges.md") and not is_managed("sub/plan.json")
    check_rendered_files(["edges/a/values.yaml", "plan.json"])
    for bad in ["edges", "README.md", "/plan.json", "edges/../plan.json", "edges/a/../../x", "edges//a", ""]:
        with pytest.raises(ValueError):
            check_rendered_files([bad])


def test_target_normalises_and_validates(tmp_path: Path) -> None:
    t = DeployTarget(tmp_path / "c", url="relative/deploy.git", path="./clusters//prod/")
    assert t.path == "clusters/prod" and t.prefix == "clusters/prod/" and Path(t.url or "").is_absolute()
    assert DeployTarget(tmp_path, path="").prefix == "" and DeployTarget(tmp_path).display_url == str(tmp_path)
    assert DeployTarget(tmp_path, url="https://u:p@h/r.git").display_url == "https://h/r.git"
    for path in ["../up", "/abs", "a/../../b", ".git", "x/.git/hooks"]:
        with pytest.raises(EdgecError):
            DeployTarget(tmp_path, path=path)
    for branch in ["-x", "a..b", "a/", "a.lock", "a b", "", "/a", "a//b"]:
        with pytest.raises(EdgecError):
            DeployTarget(tmp_path, branch=branch)
    with pytest.raises(EdgecError):
        DeployTarget(tmp_path, author_name="x <y>")


def test_target_from_config(tmp_path: Path) -> None:
    local = DeployTarget.from_config(tmp_path, None)
    assert local.is_local and local.cache_dir == tmp_path / ".edgec" / "deploy"
    cfg = DeployRepo(url="../deploy", branch="prod", path="fleet", author=GitAuthor(name="CI", email="ci@x"))
    t = DeployTarget.from_config(tmp_path / "spec", cfg)
    assert t.url == str(tmp_path / "deploy") and (t.branch, t.path) == ("prod", "fleet")
    assert (t.author_name, t.author_email) == ("CI", "ci@x")
    assert t.cache_dir == cache_dir_for(tmp_path / "spec", str(tmp_path / "deploy"))
    assert t.cache_dir.parent == tmp_path / "spec" / ".edgec" / "deploy-cache"
    remote = DeployTarget.from_config(tmp_path, DeployRepo(url="git@host:org/deploy.git"))
    assert remote.url == "git@host:org/deploy.git"
