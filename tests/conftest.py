"""Fixtures shared across test areas."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.assemble.render.helpers import Helm, find_helm

#: Every diagnostic code must be produced by a test of the session (checked when the whole suite passes).
pytest_plugins = ["tests.support.codes_seen"]

# No Hypothesis deadline and no "generation is slow" health check: both time the machine, and on a loaded one
# (CI, parallel runs) they fail a property that holds (the flaky schemadiff properties failed with
# FailedHealthCheck "Input generation is slow"). Speed is measured by bench/, never by tests.
settings.register_profile("edgec", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("edgec")


@pytest.fixture
def helm(tmp_path: Path) -> Helm:
    """A real helm binary with its own cache, config and data folders; skipped where none is installed."""
    binary = find_helm()
    if binary is None:
        pytest.skip("no helm binary: set EDGEC_HELM, put helm on PATH, or run bash .ci/run")
    return Helm(binary, tmp_path / "helm-home")
