"""Every diagnostic code is produced by some test: tests/support/codes_seen.py records the code of each Diagnostic
built during the session and fails a full, passing run when a code of CODES was never produced."""

from __future__ import annotations

from compiler.diagnostics import CODES, Diagnostic
from tests.support import codes_seen


def test_building_a_diagnostic_records_its_code() -> None:
    codes_seen._SEEN.discard("usage")
    Diagnostic(None, None, None, "usage", "recorded")
    assert "usage" in codes_seen._SEEN


def test_a_code_no_test_produced_is_missing() -> None:
    assert codes_seen.missing_codes(set(CODES)) == []
    assert codes_seen.missing_codes(set(CODES) - {"replace-cycle"}) == ["replace-cycle"]
