"""Against a real registry (Debian's docker-registry, distribution 2.8.2) and the real helm binary."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.adapters.oci.credentials import Credentials, credentials_from_environment
from compiler.adapters.oci.layout import LayoutStore
from compiler.adapters.oci.registry import RegistryStore
from compiler.adapters.oci.store import ProgressEvent
from compiler.assemble.oci_objects import Artifact, sha256_digest
from compiler.diagnostics import EdgecError
from tests.support.registry import RegistryServer, helm_env

pytestmark = pytest.mark.integration

MakePipeline = Callable[..., Artifact]
MakeChart = Callable[..., Artifact]
USER, PASSWORD = "alice", "correct-horse-battery"


def no_sleep(_seconds: float) -> None:
    return None


def verify_round_trip(store: RegistryStore, art: Artifact) -> None:
    manifest, blobs = store.fetch(art.repository, art.tag)
    assert manifest == art.manifest_bytes() and sha256_digest(manifest) == art.digest
    assert blobs == {b.digest: b.data for b in art.blobs()}
    assert all(sha256_digest(data) == digest for digest, data in blobs.items())
    assert store.fetch(art.repository, art.digest)[0] == manifest


def test_push_fetch_repush_and_immutability(
    registry_server: RegistryServer, make_pipeline: MakePipeline, make_chart: MakeChart,
    capfd: pytest.CaptureFixture[str],
) -> None:
    events: list[ProgressEvent] = []
    store = RegistryStore(registry_server.registry + "/edge", insecure=True, progress=events.append,
                          sleep=no_sleep)
    pipeline, chart = make_pipeline(), make_chart()

    first = store.push(pipeline)
    assert (first.uploaded, first.skipped, first.digest) == (3, 0, pipeline.digest)
    assert first.reference == f"{registry_server.registry}/edge/pipelines/demo:v1"
    assert store.push(chart).uploaded == 2
    assert store.resolve("pipelines/demo", "v1") == pipeline.digest
    verify_round_trip(store, pipeline)
    verify_round_trip(store, chart)

    again = store.push(pipeline)
    assert (again.uploaded, again.skipped) == (0, 3)
    assert events[-1].kind == "unchanged"

    with pytest.raises(EdgecError) as err:
        store.push(make_pipeline(rf=b"retrained weights"))
    assert err.value.diagnostic.code == "immutable-changed"
    assert store.resolve("pipelines/demo", "v1") == pipeline.digest

    out, _err = capfd.readouterr()
    assert out == ""


def test_helm_renders_the_pushed_chart(
    registry_server: RegistryServer, make_chart: MakeChart, helm: str, tmp_path: Path
) -> None:
    chart = make_chart("demo", "v2")
    RegistryStore(registry_server.registry, insecure=True).push(chart)
    result = subprocess.run(
        [helm, "template", "edge-1", f"oci://{registry_server.registry}/charts/demo", "--version", "0.0.1-v2",
         "--plain-http"],
        env=helm_env(tmp_path / "helm"), capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "name: edge-1-cm" in result.stdout and 'chartVersion: "0.0.1-v2"' in result.stdout
    assert chart.digest in result.stderr  # helm reports the digest it pulled


def test_basic_auth_registry(
    auth_registry_server: RegistryServer, make_pipeline: MakePipeline, capfd: pytest.CaptureFixture[str],
) -> None:
    host = auth_registry_server.registry
    good = RegistryStore(host, insecure=True, credentials=Credentials(USER, PASSWORD), sleep=no_sleep)
    art = make_pipeline()
    assert good.push(art).uploaded == 3
    verify_round_trip(good, art)
    assert good.push(art).uploaded == 0

    for credentials in (Credentials(USER, "wrong-password"), None):
        with pytest.raises(EdgecError) as err:
            RegistryStore(host, insecure=True, credentials=credentials, sleep=no_sleep).push(art)
        diagnostic = err.value.diagnostic
        assert diagnostic.code == "registry-auth"
        assert host in diagnostic.message and "pipelines/demo" in diagnostic.message
        assert "wrong-password" not in diagnostic.message and PASSWORD not in diagnostic.message
    assert capfd.readouterr().out == ""


def test_docker_config_credentials_end_to_end(
    auth_registry_server: RegistryServer, make_chart: MakeChart, tmp_path: Path
) -> None:
    host = auth_registry_server.registry
    config = tmp_path / "docker"
    config.mkdir()
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (config / "config.json").write_text(json.dumps({"auths": {f"http://{host}": {"auth": auth}}}))
    credentials = credentials_from_environment({"DOCKER_CONFIG": str(config)}, host)
    assert credentials is not None
    assert RegistryStore(host, insecure=True, credentials=credentials).push(make_chart()).uploaded == 2


def test_outage_then_recovery(registry_server: RegistryServer, make_pipeline: MakePipeline) -> None:
    sleeps: list[float] = []
    store = RegistryStore(registry_server.registry, insecure=True, sleep=sleeps.append)
    v1 = make_pipeline(version="v1")
    store.push(v1)

    registry_server.stop()
    with pytest.raises(EdgecError) as err:
        store.push(make_pipeline(version="v2"))
    assert err.value.diagnostic.code == "registry-unreachable"
    assert registry_server.registry in err.value.diagnostic.message
    assert "pipelines/demo" in err.value.diagnostic.message
    assert len(sleeps) == 3 and sum(sleeps) < 10

    registry_server.start()  # same port, same storage
    result = store.push(make_pipeline(version="v2"))
    assert (result.uploaded, result.skipped) == (1, 2)
    assert store.resolve("pipelines/demo", "v1") == v1.digest


def test_layout_and_registry_agree_on_digests(
    registry_server: RegistryServer, make_pipeline: MakePipeline, make_chart: MakeChart, tmp_path: Path
) -> None:
    registry = RegistryStore(registry_server.registry + "/team/edge", insecure=True)
    layout = LayoutStore(tmp_path / "oci")
    for art in (make_pipeline(), make_chart()):
        pushed, laid = registry.push(art), layout.push(art)
        assert pushed.digest == laid.digest == art.digest
        assert registry.fetch(art.repository, art.tag) == layout.fetch(art.repository, art.tag)


def test_compile_logs_in_through_a_credential_helper_and_never_leaks_the_secret(
        auth_registry_server: RegistryServer, tmp_path: Path) -> None:
    import os
    import shutil
    import sys

    from tests.adapters.oci.test_oci_credentials import install_helper

    root = tmp_path / "specs"
    shutil.copytree(Path(__file__).resolve().parents[3] / "examples" / "house-price", root,
                    ignore=shutil.ignore_patterns(".edgec"))
    host = auth_registry_server.registry
    (root / "edgec.yaml").write_text(
        f"apiVersion: edgec.dev/v1\nkind: Config\nspec:\n  registry: {host}/edge\n  insecureRegistry: true\n")
    bin_dir = tmp_path / "bin"
    install_helper(bin_dir, "test-store", (
        'read url\n'
        f'[ "$url" = "{host}" ] || {{ echo "credentials not found in native keychain"; exit 1; }}\n'
        f'printf \'{{"ServerURL":"%s","Username":"{USER}","Secret":"{PASSWORD}"}}\' "$url"\n'))
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / "config.json").write_text(json.dumps({"credHelpers": {host: "test-store"}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGEC_REGISTRY_")}
    env.update(DOCKER_CONFIG=str(docker), PATH=f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}",
               PYTHONPATH=str(Path(__file__).resolve().parents[3]))
    run = subprocess.run([sys.executable, "-m", "compiler", "compile", "--root", str(root), "--format", "json", "-v"],
                         capture_output=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr.decode()
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode())
    for text in (run.stdout, run.stderr):
        assert PASSWORD.encode() not in text and basic not in text
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and basic not in data, path
    pushed = json.loads(run.stdout)["pushed"]
    assert pushed and all(p["reference"].startswith(f"{host}/edge/") for p in pushed)
    store = RegistryStore(f"{host}/edge", insecure=True, credentials=Credentials(USER, PASSWORD))
    first = pushed[0]["reference"].removeprefix(f"{host}/edge/")
    assert store.resolve(*first.rsplit(":", 1)) == pushed[0]["digest"]
