"""helm_values: the keys of SPEC section 6, image variants, the edge bundle, overrides merged last."""

from __future__ import annotations

import base64

import pytest

from compiler.assemble.render.values import deep_merge, edge_bundle, helm_values
from compiler.spec import naming
from compiler.spec.engine import config_cpus, engine_image, sum_quantities
from compiler.spec.model import Accel, Arch, EngineConfig

from .helpers import PIPELINE_DIGEST, make_release


def _bundle_lines(b64: str) -> list[str]:
    return base64.b64decode(b64).decode().splitlines()


def test_values_carry_the_spec_keys() -> None:
    values = helm_values(make_release())
    url = f"localhost:5000/edge/pipelines/edge-inline-replacement-demon@{PIPELINE_DIGEST}"
    assert values["image"] == {"repository": "ghcr.io/wallaroolabs/fitzroy-mini", "tag": "v2024.1.0"}
    assert values["engine"] == {"cpus": 4, "memory": "3Gi", "pipelineUrl": url}
    assert values["ociRegistry"] == {"registry": "localhost:5000/edge"}
    assert values["replicas"] == 1
    assert values["edgeName"] == "store-042"
    assert values["podAnnotations"] == {
        "edgec.dev/edge": "store-042",
        "edgec.dev/publish": "pub-v2",
        "edgec.dev/pipeline": "edge-inline-replacement-demon",
        "edgec.dev/version": "v2",
    }
    assert _bundle_lines(values["edgeBundle"]) == [
        "export BUNDLE_VERSION=1",
        "export CONFIG_CPUS=4",
        "export EDGE_NAME=store-042",
        f"export PIPELINE_URL={url}",
        "export OCI_REGISTRY=localhost:5000/edge",
    ]


@pytest.mark.parametrize("replaced", [False, True])
def test_bundle_never_carries_a_join_token_or_credentials(replaced: bool) -> None:
    values = helm_values(make_release(replaced=replaced))
    bundle = base64.b64decode(values["edgeBundle"]).decode()
    assert "JOIN_TOKEN" not in bundle
    assert "username" not in str(values["ociRegistry"]) and "password" not in str(values["ociRegistry"])


@pytest.mark.parametrize("replaced", [False, True])
def test_an_ops_center_goes_into_the_bundle_and_the_token_never(replaced: bool) -> None:
    values = helm_values(make_release(ops_center_host="ops.example.com:8443", replaced=replaced))
    url = values["engine"]["pipelineUrl"]
    assert _bundle_lines(values["edgeBundle"]) == [
        "export BUNDLE_VERSION=1",
        "export CONFIG_CPUS=4",
        "export EDGE_NAME=store-042",
        "export OPSCENTER_HOST=ops.example.com:8443",
        f"export PIPELINE_URL={url}",
        *(["export JOIN_TOKEN=omitted_for_replace"] if replaced else []),
        "export OCI_REGISTRY=localhost:5000/edge",
    ]
    assert values["opsCenter"] == {"host": "ops.example.com:8443", "joinTokenSecretKey": "token",
                                   "joinTokenSecretName": "" if replaced else "store-042-join-token"}


def test_an_edge_overrides_the_join_token_secret() -> None:
    release = make_release(ops_center_host="ops.example.com", overrides={"opsCenter": {"joinTokenSecretName": "j"}})
    assert helm_values(release)["opsCenter"]["joinTokenSecretName"] == "j"
    assert "opsCenter" not in helm_values(make_release())


@pytest.mark.parametrize(("cpus", "expected"), [(0.1, 1), (0.5, 1), (1.0, 1), (1.2, 2), (2.5, 3), (4.0, 4), (16.0, 16)])
def test_config_cpus(cpus: float, expected: int) -> None:
    assert config_cpus(cpus) == expected
    release = make_release(engine=EngineConfig(cpus=cpus, memory="1Gi"))
    assert f"export CONFIG_CPUS={expected}" in _bundle_lines(edge_bundle(release))


@pytest.mark.parametrize(
    ("arch", "accel", "repository"),
    [
        (Arch.X86, Accel.NONE, "ghcr.io/wallaroolabs/fitzroy-mini"),
        (Arch.ARM, Accel.NONE, "ghcr.io/wallaroolabs/fitzroy-mini-aarch64"),
        (Arch.X86, Accel.CUDA, "ghcr.io/wallaroolabs/fitzroy-mini-cuda"),
        (Arch.ARM, Accel.CUDA, "ghcr.io/wallaroolabs/fitzroy-mini-aarch64-cuda"),
        (Arch.ARM, Accel.JETSON, "ghcr.io/wallaroolabs/fitzroy-mini-jetson"),
        (Arch.X86, Accel.OPENVINO, "ghcr.io/wallaroolabs/fitzroy-mini-openvino"),
    ],
)
def test_engine_image_variants(arch: Arch, accel: Accel, repository: str) -> None:
    assert engine_image("ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0", arch, accel) == (repository, "v2024.1.0")


def test_engine_image_with_a_registry_port() -> None:
    assert engine_image("localhost:5000/fitzroy-mini:v1", Arch.ARM, Accel.NONE) == (
        "localhost:5000/fitzroy-mini-aarch64",
        "v1",
    )


def test_overrides_merge_last() -> None:
    overrides = {
        "engine": {"memory": "8Gi", "extraEnv": [{"name": "X", "value": "1"}]},
        "image": {"repository": "mirror.local/engine"},
        "replicas": 2,
        "podAnnotations": None,
    }
    values = helm_values(make_release(overrides=overrides))
    assert values["engine"]["memory"] == "8Gi"
    assert values["engine"]["cpus"] == 4  # untouched siblings stay
    assert values["engine"]["extraEnv"] == [{"name": "X", "value": "1"}]
    assert values["image"] == {"repository": "mirror.local/engine", "tag": "v2024.1.0"}
    assert values["replicas"] == 2
    assert values["podAnnotations"] is None  # Helm reads null as "remove"


def test_deep_merge_does_not_modify_its_arguments() -> None:
    base = {"a": {"b": 1, "l": [1]}}
    over = {"a": {"c": 2}}
    merged = deep_merge(base, over)
    assert merged == {"a": {"b": 1, "c": 2, "l": [1]}}
    merged["a"]["l"].append(2)
    assert base == {"a": {"b": 1, "l": [1]}} and over == {"a": {"c": 2}}


def test_invalid_edge_name_is_refused() -> None:
    with pytest.raises(ValueError):
        make_release(edge="../escape")


def test_gpus_reach_the_values_only_when_the_engine_has_some() -> None:
    with_gpus = helm_values(make_release(engine=EngineConfig(cpus=2.5, memory="3Gi", gpus=2)))
    assert with_gpus["engine"] == {"cpus": 2.5, "memory": "3Gi", "gpus": 2,
                                   "pipelineUrl": helm_values(make_release())["engine"]["pipelineUrl"]}
    assert "gpus" not in helm_values(make_release(engine=EngineConfig(cpus=1, memory="1Gi", gpus=0)))["engine"]


def test_sidekick_models_get_engine_aux_and_the_pod_their_share() -> None:
    engine = EngineConfig(cpus=4, memory="3Gi", gpus=1)
    values = helm_values(make_release(sidekicks=("tokenizer", "llm"), engine=engine))
    assert values["engineAux"] == {"images": {"tokenizer": {"cpus": 1, "memory": "512Mi"},
                                              "llm": {"cpus": 1, "memory": "512Mi"}}}
    assert values["resources"] == {"requests": {"cpu": "6", "memory": "4Gi"},
                                   "limits": {"cpu": "6", "memory": "4Gi", "nvidia.com/gpu": 1}}
    assert values["engine"]["cpus"] == 4  # CONFIG_CPUS stays the engine's own
    native = helm_values(make_release())
    assert "engineAux" not in native and "resources" not in native


@pytest.mark.parametrize(("quantities", "total"), [(["3Gi", "512Mi"], "3584Mi"), (["1Gi", "1Gi"], "2Gi"),
                                                  (["1G", "1"], "1000000001"), (["1.5Gi", "512Mi"], "2Gi")])
def test_sum_quantities(quantities: list[str], total: str) -> None:
    assert sum_quantities(quantities) == total


@pytest.mark.parametrize("edge", ["a" * 64, "Store-1", "store_1", "-store", ""])
def test_an_edge_name_that_is_not_a_dns_label_is_refused(edge: str) -> None:
    with pytest.raises(ValueError, match="is not a valid name"):
        make_release(edge=edge)


def test_the_longest_edge_name_and_the_chart_version() -> None:
    release = make_release(edge="a" * 63, version="v7")
    assert helm_values(release)["edgeName"] == "a" * 63
    assert release.chart_version == naming.chart_version("v7") != naming.chart_version("v2")
