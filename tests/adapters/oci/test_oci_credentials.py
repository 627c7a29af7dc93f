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


# ------------------------------------------------------------------------------------------ credential helpers
HELPER_SECRET = "helper-secret-9f8e7d"


def install_helper(bin_dir: Path, name: str, script: str) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def path_with(bin_dir: Path) -> str:
    return f"{bin_dir}:/usr/bin:/bin"


def helper_config(folder: Path, **document: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(document))
    return folder


ANSWERING = (
    'read url\n[ "$1" = get ] || exit 9\necho "$url" >> "$(dirname "$0")/asked"\n'
    f'printf \'{{"ServerURL":"%s","Username":"helper-user","Secret":"{HELPER_SECRET}"}}\' "$url"\n'
)


def test_cred_helper_for_the_host_answers(tmp_path: Path) -> None:
    install_helper(tmp_path / "bin", "acme", ANSWERING)
    cfg = helper_config(tmp_path / "d", credHelpers={"reg:5000": "acme"}, credsStore="other",
                        auths={"reg:5000": {"auth": b64("file:pw")}})
    creds = credentials_from_environment({"DOCKER_CONFIG": str(cfg), "PATH": path_with(tmp_path / "bin")}, "reg:5000")
    assert creds is not None and (creds.username, creds.password) == ("helper-user", HELPER_SECRET)
    assert (tmp_path / "bin" / "asked").read_text() == "reg:5000\n"  # the server URL on stdin
    assert HELPER_SECRET not in repr(creds) and HELPER_SECRET not in str(creds)
    assert "docker-credential-acme" in str(creds)


def test_creds_store_serves_hosts_without_their_own_helper(tmp_path: Path) -> None:
    install_helper(tmp_path / "bin", "desktop", ANSWERING)
    cfg = helper_config(tmp_path / "d", credsStore="desktop", credHelpers={"other:1": "nothere"})
    env = {"DOCKER_CONFIG": str(cfg), "PATH": path_with(tmp_path / "bin")}
    creds = credentials_from_environment(env, "registry-1.docker.io")
    assert creds is not None and creds.password == HELPER_SECRET
    assert (tmp_path / "bin" / "asked").read_text() == "https://index.docker.io/v1/\n"


def test_helper_without_credentials_falls_back_to_auths_then_anonymous(tmp_path: Path) -> None:
    install_helper(tmp_path / "bin", "empty", "echo 'credentials not found in native keychain'\nexit 1\n")
    cfg = helper_config(tmp_path / "d", credsStore="empty", auths={"reg:5000": {"auth": b64("file:pw")}})
    env = {"DOCKER_CONFIG": str(cfg), "PATH": path_with(tmp_path / "bin")}
    creds = credentials_from_environment(env, "reg:5000")
    assert creds is not None and creds.username == "file"
    assert credentials_from_environment(env, "elsewhere:1") is None


@pytest.mark.parametrize(("script", "expected"), [
    (f"echo 'oops {HELPER_SECRET}' >&2\necho '{HELPER_SECRET}'\nexit 3\n", "failed (exit 3)"),
    (f"echo 'not json {HELPER_SECRET}'\n", "not credentials JSON"),
])
def test_failing_helper_is_an_auth_error_that_never_quotes_its_output(tmp_path: Path, script: str,
                                                                      expected: str) -> None:
    install_helper(tmp_path / "bin", "broken", script)
    cfg = helper_config(tmp_path / "d", credsStore="broken")
    with pytest.raises(EdgecError) as err:
        credentials_from_environment({"DOCKER_CONFIG": str(cfg), "PATH": path_with(tmp_path / "bin")}, "reg:5000")
    diagnostic = err.value.diagnostic
    assert diagnostic.code == "registry-auth" and expected in diagnostic.message
    assert HELPER_SECRET not in diagnostic.message + (diagnostic.hint or "")


def test_missing_helper_is_named(tmp_path: Path) -> None:
    cfg = helper_config(tmp_path / "d", credHelpers={"reg:5000": "ecr-login"})
    with pytest.raises(EdgecError) as err:
        credentials_from_environment({"DOCKER_CONFIG": str(cfg), "PATH": str(tmp_path)}, "reg:5000")
    assert "docker-credential-ecr-login" in err.value.diagnostic.message
    assert "PATH" in err.value.diagnostic.message


def test_non_utf8_environment_credentials_are_a_clear_error() -> None:
    bad = b"pass\xff\xfe".decode("utf-8", "surrogateescape")  # what os.environ holds for such bytes
    with pytest.raises(EdgecError) as err:
        credentials_from_environment({"EDGEC_REGISTRY_USERNAME": "ci", "EDGEC_REGISTRY_PASSWORD": bad}, "reg:5000")
    assert err.value.diagnostic.code == "registry-auth"
    assert err.value.diagnostic.message == "EDGEC_REGISTRY_PASSWORD is not valid UTF-8"
