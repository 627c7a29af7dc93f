"""Everything `validate` and `plan` know about a spec root, computed without side effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from compiler.diagnostics import Diagnostic, sorted_unique
from compiler.specs import Specs
from compiler.validate import load_specs


@dataclass
class Analysis:
    specs: Specs
    diagnostics: list[Diagnostic]
    files: list[str] = field(default_factory=list)


def analyze(root: Path) -> Analysis:
    validation = load_specs(root)
    return Analysis(validation.specs, sorted_unique(validation.diagnostics), validation.files)
