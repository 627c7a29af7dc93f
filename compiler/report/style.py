"""How printed text looks: the ANSI codes (defined here only) and the options every printer receives."""

from __future__ import annotations

from dataclasses import dataclass

RED, GREEN, YELLOW, CYAN = "\033[31m", "\033[32m", "\033[33m", "\033[36m"
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"
#: Carriage return and erase the line: a progress line that overwrites itself.
REWRITE_LINE = "\r\033[K"

#: The colour of a severity (`error`, `warning`, `info`) wherever one is printed.
SEVERITY_COLORS = {"error": RED, "warning": YELLOW, "info": CYAN}


@dataclass(frozen=True)
class Style:
    """What a printer needs to know besides its subject.

    `path_prefix` is prepended to the spec-root-relative file names in formats that a code host reads (GitHub
    annotations, SARIF): the spec root's path inside the git work tree, `""` when they are the same folder.
    """

    color: bool = False
    quiet: bool = False
    path_prefix: str = ""

    def paint(self, codes: str, text: str) -> str:
        return f"{codes}{text}{RESET}" if self.color else text

    def repo_path(self, file: str) -> str:
        return f"{self.path_prefix}{file}" if self.path_prefix else file
