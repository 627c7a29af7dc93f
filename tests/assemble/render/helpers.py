"""Helpers of the rendering tests: an EdgeRelease factory, YAML readers, and the helm binary."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.assemble.render.values import EdgeRelease
from compiler.spec.model import Accel, Arch, EngineConfig, EngineLbConfig
from tests.support.registry import helm_binary

PIPELINE_DIGEST = "sha256:" + "a" * 64
CHART_DIGEST = "sha256:" + "b" * 64


def make_release(**changes: Any) -> EdgeRelease:
    base = EdgeRelease(
        edge="store-042",
        publish="pub-v2",
        pipeline="edge-inline-replacement-demon",
        version="v2",
        tags=("store-042", "eu"),
        arch=Arch.X86,
        accel=Accel.NONE,
        engine=EngineConfig(cpus=4, memory="3Gi"),
        engine_lb=EngineLbConfig(),
        registry="localhost:5000/edge",
        pipeline_digest=PIPELINE_DIGEST,
        chart_digest=CHART_DIGEST,
        engine_image="ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0",
        overrides={},
        replaced=False,
    )
    return replace(base, **changes)


def load_yaml_all(data: bytes, *, version: tuple[int, int] = (1, 2)) -> list[Any]:
    """Parse as a YAML 1.2 reader (ruamel) or a YAML 1.1 reader (Helm, Argo CD and Flux read YAML 1.1 style)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = version
    return [doc for doc in yaml.load_all(data.decode("utf-8")) if doc is not None]


def find_helm() -> str | None:
    return helm_binary()


class Helm:
    def __init__(self, binary: str, home: Path) -> None:
        self.binary = binary
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_DATA_HOME": str(home / "data"),
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.binary, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        if check and proc.returncode != 0:
            pytest.fail(f"helm {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc
