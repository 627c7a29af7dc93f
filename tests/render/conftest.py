"""Fixtures of the rendering tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.render.values import EdgeRelease

from .helpers import Helm, find_helm, make_release


@pytest.fixture
def release() -> Callable[..., EdgeRelease]:
    return make_release


@pytest.fixture
def helm(tmp_path: Path) -> Helm:
    binary = find_helm()
    if binary is None:
        pytest.skip("no helm binary: set EDGEC_HELM, put helm on PATH, or unpack it to /tmp/helmdl/helm/helm")
    return Helm(binary, tmp_path / "helm-home")
