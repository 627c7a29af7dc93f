"""Credentials come from the environment or the Docker config, and never show up in text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from compiler.adapters.oci.credentials import Credentials, credentials_from_environment
from compiler.diagnostics import EdgecError

SECRET = "s3cr3t:with:colons"


def docker_config(folder: Path, auths: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"auths": auths}))
    return folder


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_environment_variables_win(tmp_path: Path) -> None:
    cfg = docker_config(tmp_path / "d", {"reg:5000": {"auth": b64("docker:pw")}})
    env = {"EDGEC_REGISTRY_USERNAME": "ci", "EDGEC_REGISTRY_PASSWORD": SECRET, "DOCKER_CONFIG": str(cfg)}
    creds = credentials_from_environment(env, "reg:5000")
    assert creds == Credentials("ci", SECRET, "environment")


@pytest.mark.parametrize("present", ["EDGEC_REGISTRY_USERNAME", "EDGEC_REGISTRY_PASSWORD"])
def test_half_set_environment_is_an_auth_error(present: str) -> None:
    with pytest.raises(EdgecError) as err:
        credentials_from_environment({present: SECRET}, "reg:5000")
    assert err.value.diagnostic.code == "registry-auth"
    assert SECRET not in err.value.diagnostic.message


def test_docker_config_from_DOCKER_CONFIG(tmp_path: Path) -> None:
    cfg = docker_config(tmp_path / "d", {"https://reg:5000/v1/": {"auth": b64(f"bob:{SECRET}")},
                                         "other:5000": {"auth": b64("x:y")}})
    creds = credentials_from_environment({"DOCKER_CONFIG": str(cfg)}, "reg:5000")
    assert creds is not None and (creds.username, creds.password) == ("bob", SECRET)
    assert SECRET not in repr(creds) and SECRET not in str(creds)


def test_docker_config_from_home(tmp_path: Path) -> None:
    docker_config(tmp_path / ".docker", {"reg.example.com": {"auth": b64("carol:pw")}})
    creds = credentials_from_environment({"HOME": str(tmp_path)}, "reg.example.com")
    assert creds is not None and creds.username == "carol"


def test_docker_hub_aliases(tmp_path: Path) -> None:
    cfg = docker_config(tmp_path / "d", {"https://index.docker.io/v1/": {"auth": b64("dan:pw")}})
    creds = credentials_from_environment({"DOCKER_CONFIG": str(cfg)}, "registry-1.docker.io")
    assert creds is not None and creds.username == "dan"


def test_no_entry_means_anonymous(tmp_path: Path) -> None:
    cfg = docker_config(tmp_path / "d", {"other:5000": {"auth": b64("x:y")}})
    assert credentials_from_environment({"DOCKER_CONFIG": str(cfg)}, "reg:5000") is None
    assert credentials_from_environment({"DOCKER_CONFIG": str(tmp_path / "missing")}, "reg:5000") is None
    assert credentials_from_environment({}, "reg:5000") is None


@pytest.mark.parametrize("content", ["{not json", '{"auths": []}'])
def test_unreadable_docker_config_is_an_auth_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "config.json").write_text(content)
    with pytest.raises(EdgecError) as err:
        credentials_from_environment({"DOCKER_CONFIG": str(tmp_path)}, "reg:5000")
    assert err.value.diagnostic.code == "registry-auth"


def test_malformed_auth_entry(tmp_path: Path) -> None:
    cfg = docker_config(tmp_path / "d", {"reg:5000": {"auth": "%%%not-base64"}})
    with pytest.raises(EdgecError, match="malformed"):
        credentials_from_environment({"DOCKER_CONFIG": str(cfg)}, "reg:5000")
