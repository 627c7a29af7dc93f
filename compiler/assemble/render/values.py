"""Helm values of one edge location, as pure data (SPEC section 6).

`helm_values` is a pure function of an `EdgeRelease`: nothing is read from the environment or the disk, so an
unchanged plan gives byte-identical values, and no credential can leak into them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.spec import engine, naming
from compiler.spec.engine import SIDEKICK_CPUS, SIDEKICK_MEMORY, engine_image
from compiler.spec.merge import deep_merge
from compiler.spec.model import NAME_PATTERN, Accel, Arch, EngineConfig, EngineLbConfig

#: Prefix of the annotations edgec adds to the engine pods.
ANNOTATION_PREFIX = "edgec.dev/"
_NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class EdgeRelease:
    """Everything rendering needs about one edge location on its current publish."""

    edge: str
    publish: str
    pipeline: str
    version: str
    tags: tuple[str, ...]
    arch: Arch
    accel: Accel
    engine: EngineConfig
    engine_lb: EngineLbConfig
    registry: str  # OCI repository prefix, e.g. "localhost:5000/edge"
    pipeline_digest: str  # sha256:... of the pipeline artifact's manifest
    chart_digest: str  # sha256:... of the chart artifact's manifest; "" when unknown
    engine_image: str  # config engineImage, e.g. ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0
    overrides: Mapping[str, Any] = field(default_factory=dict)  # the location's `values`, merged last
    replaced: bool = False  # the edge came to this publish through a replacement
    insecure_registry: bool = False  # plain-HTTP registry (Flux's OCIRepository needs to know)
    labels: Mapping[str, str] = field(default_factory=dict)  # the location's metadata.labels
    wave: str | None = None  # the roll-out wave that moved the edge here (None: no roll-out moved it)
    ops_center_host: str | None = None  # config opsCenterHost: the edge reports its inference logs there
    sidekicks: tuple[str, ...] = ()  # step models Wallaroo runs in a sidekick container (engineAux)

    def __post_init__(self) -> None:
        if not _NAME.match(self.edge) or len(self.edge) > 63:
            raise ValueError(f"edge name {self.edge!r} is not a valid name")

    @property
    def chart_version(self) -> str:
        return naming.chart_version(self.version)

    @property
    def pipeline_url(self) -> str:
        return naming.pipeline_digest_url(self.registry, self.pipeline, self.pipeline_digest)


def edge_bundle(release: EdgeRelease) -> str:
    return engine.edge_bundle(release.edge, release.engine.cpus, release.pipeline_url, release.registry,
                              ops_center_host=release.ops_center_host, replaced=release.replaced)


def ops_center(release: EdgeRelease, host: str) -> dict[str, str]:
    """The chart's `opsCenter` values: the host, and the Secret holding the first install's join token. A
    replacement names no Secret: its engine gets `JOIN_TOKEN=omitted_for_replace`, as its bundle says."""
    return {
        "host": host,
        "joinTokenSecretName": "" if release.replaced else engine.join_token_secret(release.edge),
        "joinTokenSecretKey": engine.JOIN_TOKEN_SECRET_KEY,
    }


def pod_annotations(release: EdgeRelease) -> dict[str, str]:
    """Which edge, publish, pipeline and version a pod runs; deliberately not the source commit."""
    return {
        f"{ANNOTATION_PREFIX}edge": release.edge,
        f"{ANNOTATION_PREFIX}publish": release.publish,
        f"{ANNOTATION_PREFIX}pipeline": release.pipeline,
        f"{ANNOTATION_PREFIX}version": release.version,
    }


def pod_resources(release: EdgeRelease) -> dict[str, dict[str, Any]]:
    """Requests and limits of an engine that runs sidekick models: its own share plus each sidekick's, as Wallaroo's
    `docker run --cpus=<engine + sidekicks> --memory=<sum>` gives one container the whole share (NOTES.md)."""
    count = len(release.sidekicks)
    cpus = str(_number(release.engine.cpus + count * SIDEKICK_CPUS))
    memory = engine.sum_quantities([release.engine.memory, *[SIDEKICK_MEMORY] * count])
    limits: dict[str, Any] = {"cpu": cpus, "memory": memory}
    if release.engine.gpus:
        limits["nvidia.com/gpu"] = release.engine.gpus
    return {"requests": {"cpu": cpus, "memory": memory}, "limits": limits}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def helm_values(release: EdgeRelease) -> dict[str, Any]:
    """The values of `edges/<edge>/values.yaml`: edgec's keys, then the location's overrides merged last."""
    repository, tag = engine_image(release.engine_image, release.arch, release.accel)
    engine: dict[str, Any] = {
        "cpus": _number(release.engine.cpus),
        "memory": release.engine.memory,
        "pipelineUrl": release.pipeline_url,
    }
    if release.engine.gpus:
        engine["gpus"] = release.engine.gpus
    values: dict[str, Any] = {
        "image": {"repository": repository, "tag": tag},
        "engine": engine,
        "edgeName": release.edge,
        "ociRegistry": {"registry": release.registry},
        "edgeBundle": edge_bundle(release),
        "replicas": 1,
        "podAnnotations": pod_annotations(release),
    }
    if release.ops_center_host:
        values["opsCenter"] = ops_center(release, release.ops_center_host)
    if release.sidekicks:
        values["engineAux"] = {"images": {model: {"cpus": _number(SIDEKICK_CPUS), "memory": SIDEKICK_MEMORY}
                                          for model in release.sidekicks}}
        values["resources"] = pod_resources(release)
    return deep_merge(values, release.overrides)
