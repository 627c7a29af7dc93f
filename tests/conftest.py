"""Fixtures shared across test areas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assemble.render.helpers import Helm, find_helm


@pytest.fixture
def helm(tmp_path: Path) -> Helm:
    """A real helm binary with its own cache, config and data folders; skipped where none is installed."""
    binary = find_helm()
    if binary is None:
        pytest.skip("no helm binary: set EDGEC_HELM, put helm on PATH, or run bash .ci/run")
    return Helm(binary, tmp_path / "helm-home")
