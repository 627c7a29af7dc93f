"""The one jinja2 environment: sandboxed, strict, no autoescape, and no way to print a value as text.

Templates hold fixed text and `{{ x | to_yaml }}` / `{{ x | to_json }}` only; documents are built as dicts in
code. Rendered output is never rendered again, so `{{ }}` inside a value stays inert text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from compiler.assemble.render.serialize import to_json, to_yaml
from compiler.resources import templates_dir


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=False,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["to_yaml"] = to_yaml
    env.filters["to_json"] = to_json
    return env


def render(template: str, **context: Any) -> bytes:
    text = environment().get_template(template).render(**context)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")
