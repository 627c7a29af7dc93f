"""The dependency rule of the package, checked on every import (lazy ones inside functions included).

The stages are ordered as the work flows: a module may import its own stage and the stages before it, never one
after it. `compiler/__init__.py` and `compiler/__main__.py` stand outside the order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "compiler"

# Foundation first, the terminal last. README.md (Development) states the same order.
STAGES = ["diagnostics", "resources", "spec", "load", "analysis", "assemble", "adapters", "compile", "report", "cli"]


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "compiler" or len(parts) < 2:
        return None
    return parts[1]


def package_of(path: Path) -> str:
    """The package a relative import in `path` starts from."""
    return ".".join(path.relative_to(PACKAGE.parent).parent.parts)


def imports_of(source: str, package: str) -> list[tuple[int, str]]:
    """Every module an import statement names, with its line; `from compiler import x` names `compiler.x`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "compiler":
                found.extend((node.lineno, f"compiler.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, module))
    return sorted(found)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem not in ("__init__", "__main__"))


def test_every_module_belongs_to_a_stage() -> None:
    stray = [str(p.relative_to(PACKAGE)) for p in MODULES
             if p.relative_to(PACKAGE).parts[0].removesuffix(".py") not in STAGES]
    assert stray == []


def later_imports(source: str, package: str, stage: str) -> list[str]:
    own = STAGES.index(stage)
    return [f"line {line}: {module}" for line, module in imports_of(source, package)
            if (target := stage_of(module)) in STAGES and STAGES.index(target) > own]



@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_only_to_earlier_stages(path: Path) -> None:
    stage = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    assert later_imports(path.read_text(), package_of(path), stage) == []


def test_the_rule_catches_lazy_relative_and_plain_imports() -> None:
    source = ("import compiler.cli.main\n"
              "def f():\n    from compiler import adapters\n"
              "from ...compile import stages\n"
              "from ..schemadiff import diff\n"
              "from compiler.spec.model import Model\n")
    assert later_imports(source, "compiler.analysis.graph", "analysis") == [
        "line 1: compiler.cli.main", "line 3: compiler.adapters", "line 4: compiler.compile"]
