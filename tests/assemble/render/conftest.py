"""Fixtures of the rendering tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from compiler.assemble.render.values import EdgeRelease

from .helpers import make_release


@pytest.fixture
def release() -> Callable[..., EdgeRelease]:
    return make_release

