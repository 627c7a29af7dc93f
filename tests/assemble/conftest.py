"""Fixtures of the assemble tests."""

from tests.assemble.samples import make_chart, make_pipeline, models  # noqa: F401 - shared with the OCI tests
