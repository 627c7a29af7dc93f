"""Every diagnostic code is asserted by some test (not only declared)."""

from __future__ import annotations

from pathlib import Path

from compiler.diagnostics import CODES

TESTS = Path(__file__).resolve().parent


def test_every_code_appears_in_a_test_or_an_expected_case() -> None:
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("*")
                       if p.is_file() and p.suffix in (".py", ".txt") and p.name != Path(__file__).name)
    missing = [code for code in CODES if f'"{code}"' not in corpus and f" {code}\n" not in corpus
               and f"[{code}]" not in corpus]
    assert missing == []
