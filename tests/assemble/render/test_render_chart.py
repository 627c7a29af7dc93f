"""The edge chart: reproducible packaging; helm lint and helm template on rendered values (integration)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from compiler.assemble.render import package_chart, render_edge_files
from compiler.assemble.render.values import EdgeRelease, helm_values
from compiler.spec.model import Accel, Arch, EngineConfig, OutputKind

from .helpers import PIPELINE_DIGEST, Helm, load_yaml_all, make_release

PIPELINE = "edge-inline-replacement-demon"


def test_packaging_is_reproducible() -> None:
    first, meta = package_chart(PIPELINE, "v2")
    second, _ = package_chart(PIPELINE, "v2")
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert meta["name"] == PIPELINE and meta["version"] == "0.0.1-v2" and meta["apiVersion"] == "v2"
    assert package_chart(PIPELINE, "v3")[0] != first


def test_package_layout() -> None:
    tgz, meta = package_chart(PIPELINE, "v2")
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        names = tar.getnames()
        chart_yaml = tar.extractfile(f"{PIPELINE}/Chart.yaml").read()  # type: ignore[union-attr]
    assert all(n.startswith(f"{PIPELINE}/") for n in names)
    for required in (
        "Chart.yaml",
        "values.yaml",
        "values.schema.json",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/pvc.yaml",
    ):
        assert f"{PIPELINE}/{required}" in names
    assert load_yaml_all(chart_yaml) == [meta]


def test_bad_names_are_refused() -> None:
    with pytest.raises(ValueError):
        package_chart("../x", "v1")
    with pytest.raises(ValueError):
        package_chart("ok", "v1+build")


# ------------------------------------------------------------------------------------------ integration
SECRET = "s3cr3t-never-in-clear"


def _chart_dir(tmp_path: Path, pipeline: str = PIPELINE, version: str = "v2") -> Path:
    tgz, _ = package_chart(pipeline, version)
    dest = tmp_path / "chart"
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        tar.extractall(dest, filter="data")
    return dest / pipeline


def _template(helm: Helm, chart: Path, release: EdgeRelease, tmp_path: Path, *extra: str) -> list[dict[str, Any]]:
    values_file = tmp_path / "values.yaml"
    values_file.write_bytes(render_edge_files(release, [OutputKind.HELM_VALUES])["edges/store-042/values.yaml"])
    out = helm.run("template", "edge-engine", str(chart), "--namespace", release.edge, "-f", str(values_file), *extra)
    return [d for d in load_yaml_all(out.stdout.encode()) if d]


def _deployment(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = [d for d in docs if d["kind"] == "Deployment"]
    return deployment


@pytest.mark.integration
def test_helm_lint(helm: Helm, tmp_path: Path) -> None:
    chart = _chart_dir(tmp_path)
    helm.run("lint", "--strict", str(chart))
    values = tmp_path / "v.yaml"
    values.write_bytes(render_edge_files(make_release(), [OutputKind.HELM_VALUES])["edges/store-042/values.yaml"])
    helm.run("lint", "--strict", str(chart), "-f", str(values))


@pytest.mark.integration
def test_helm_template_renders_the_engine(helm: Helm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", SECRET)
    release = make_release(arch=Arch.ARM, engine=EngineConfig(cpus=2.5, memory="3Gi", gpus=1))
    docs = _template(helm, _chart_dir(tmp_path), release, tmp_path)
    assert sorted(d["kind"] for d in docs) == ["Deployment", "PersistentVolumeClaim", "Service"]
    pod = _deployment(docs)["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["image"] == "ghcr.io/wallaroolabs/fitzroy-mini-aarch64:v2024.1.0"
    assert container["resources"] == {
        "requests": {"cpu": "2.5", "memory": "3Gi"},
        "limits": {"cpu": "2.5", "memory": "3Gi", "nvidia.com/gpu": 1},
    }
    env = {e["name"]: e for e in container["env"]}
    url = f"localhost:5000/edge/pipelines/{PIPELINE}@{PIPELINE_DIGEST}"
    assert env["PIPELINE_URL"]["value"] == url
    assert env["EDGE_NAME"]["value"] == "store-042"
    assert env["CONFIG_CPUS"]["value"] == "3"
    assert env["OCI_REGISTRY"]["value"] == "localhost:5000/edge"
    assert env["EDGE_BUNDLE"]["value"] == helm_values(release)["edgeBundle"]
    for key in ("OCI_USERNAME", "OCI_PASSWORD"):
        assert "value" not in env[key]
        assert env[key]["valueFrom"]["secretKeyRef"]["name"] == "edge-oci-credentials"
    assert pod["spec"]["imagePullSecrets"] == [{"name": "edge-oci-pull-secret"}]
    assert pod["metadata"]["annotations"]["edgec.dev/edge"] == "store-042"
    assert (tmp_path / "values.yaml").read_text().count(SECRET) == 0
    service = next(d for d in docs if d["kind"] == "Service")
    assert service["spec"]["ports"][0]["port"] == 8080


@pytest.mark.integration
def test_helm_template_with_overrides_and_hostile_values(helm: Helm, tmp_path: Path) -> None:
    hostile = 'x\n{{ .Values.ociRegistry }}\n---\nkind: Secret "on"'
    release = make_release(
        accel=Accel.CUDA,
        overrides={
            "engine": {"extraEnv": [{"name": "HOSTILE", "value": hostile}]},
            "podAnnotations": {"note": hostile},
            "persistence": {"enabled": False},
            "service": {"type": "NodePort"},
        },
    )
    docs = _template(helm, _chart_dir(tmp_path), release, tmp_path)
    assert sorted(d["kind"] for d in docs) == ["Deployment", "Service"]
    pod = _deployment(docs)["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["image"] == "ghcr.io/wallaroolabs/fitzroy-mini-cuda:v2024.1.0"
    assert {e["name"]: e.get("value") for e in container["env"]}["HOSTILE"] == hostile
    assert pod["metadata"]["annotations"]["note"] == hostile
    assert pod["spec"]["volumes"] == [{"name": "persist", "emptyDir": {}}]


@pytest.mark.integration
def test_the_values_schema_refuses_clear_text_credentials(helm: Helm, tmp_path: Path) -> None:
    chart = _chart_dir(tmp_path)
    release = make_release(overrides={"ociRegistry": {"password": "clear-text"}})
    values_file = tmp_path / "values.yaml"
    values_file.write_bytes(render_edge_files(release, [OutputKind.HELM_VALUES])["edges/store-042/values.yaml"])
    proc = helm.run("template", "x", str(chart), "-f", str(values_file), check=False)
    assert proc.returncode != 0 and "password" in proc.stderr


@pytest.mark.integration
@pytest.mark.parametrize("replaced", [False, True])
def test_an_ops_center_edge_reads_its_join_token_from_a_secret(helm: Helm, tmp_path: Path, replaced: bool) -> None:
    release = make_release(ops_center_host="ops.example.com", replaced=replaced)
    (container,) = _deployment(_template(helm, _chart_dir(tmp_path), release, tmp_path))["spec"]["template"]["spec"][
        "containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["OPSCENTER_HOST"] == {"name": "OPSCENTER_HOST", "value": "ops.example.com"}
    if replaced:
        assert env["JOIN_TOKEN"] == {"name": "JOIN_TOKEN", "value": "omitted_for_replace"}
    else:
        assert env["JOIN_TOKEN"] == {"name": "JOIN_TOKEN", "valueFrom": {
            "secretKeyRef": {"name": "store-042-join-token", "key": "token"}}}
    named = make_release(ops_center_host="ops.example.com",
                         overrides={"opsCenter": {"joinTokenSecretName": "fleet-join", "joinTokenSecretKey": "t"}})
    (container,) = _deployment(_template(helm, _chart_dir(tmp_path), named, tmp_path))["spec"]["template"]["spec"][
        "containers"]
    assert {e["name"]: e for e in container["env"]}["JOIN_TOKEN"]["valueFrom"] == {
        "secretKeyRef": {"name": "fleet-join", "key": "t"}}
    (plain,) = _deployment(_template(helm, _chart_dir(tmp_path), make_release(), tmp_path))["spec"]["template"][
        "spec"]["containers"]
    assert not {"OPSCENTER_HOST", "JOIN_TOKEN"} & {e["name"] for e in plain["env"]}


@pytest.mark.integration
def test_the_values_schema_refuses_a_join_token_in_values(helm: Helm, tmp_path: Path) -> None:
    release = make_release(ops_center_host="ops.example.com", overrides={"opsCenter": {"joinToken": "clear"}})
    values_file = tmp_path / "values.yaml"
    values_file.write_bytes(render_edge_files(release, [OutputKind.HELM_VALUES])["edges/store-042/values.yaml"])
    proc = helm.run("template", "x", str(_chart_dir(tmp_path)), "-f", str(values_file), check=False)
    assert proc.returncode != 0 and "joinToken" in proc.stderr


@pytest.mark.integration
def test_a_sidekick_publish_gets_engine_aux_and_the_rolling_update(helm: Helm, tmp_path: Path) -> None:
    release = make_release(sidekicks=("llm",), overrides={"nodeSelector": {"zone": "a"}, "engineAux": {
        "env": [{"name": "HF_HOME", "value": "/persist/hf"}], "nodeSelector": {"gpu": "yes"},
        "tolerations": [{"key": "gpu", "operator": "Exists"}]}})
    deployment = _deployment(_template(helm, _chart_dir(tmp_path), release, tmp_path))
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["resources"]["limits"] == {"cpu": "5", "memory": "3584Mi"}
    assert {e["name"]: e.get("value") for e in container["env"]}["HF_HOME"] == "/persist/hf"
    assert pod["nodeSelector"] == {"zone": "a", "gpu": "yes"}
    assert pod["tolerations"] == [{"key": "gpu", "operator": "Exists"}]
    assert deployment["spec"]["strategy"] == {"type": "RollingUpdate",
                                              "rollingUpdate": {"maxSurge": "100%", "maxUnavailable": "50%"}}
    native = make_release(overrides={"engineAux": {"env": [{"name": "HF_HOME", "value": "x"}],
                                                   "nodeSelector": {"gpu": "yes"}},
                                     "rollingUpdate": {"enabled": False}})
    deployment = _deployment(_template(helm, _chart_dir(tmp_path), native, tmp_path))
    pod = deployment["spec"]["template"]["spec"]
    assert "HF_HOME" not in {e["name"] for e in pod["containers"][0]["env"]}  # no sidekick: engineAux unused
    assert "nodeSelector" not in pod
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
