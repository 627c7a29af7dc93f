"""JSON Schema `pattern` with ECMA-262 semantics on Python's `re`, as editors and jsonschema-rs match it.

Where the two differ for the patterns a schema uses: Python's `$` also matches before a final `\\n` (so
`^[a-z]+$` accepts "name\\n"), `\\d` and `\\w` match any Unicode digit or letter, `\\s` misses U+FEFF, and `.`
matches `\\r`, U+2028 and U+2029. `ecma_to_python` rewrites those constructs; everything else is the same syntax.
"""

from __future__ import annotations

import re
from functools import cache

#: ECMA-262 WhiteSpace and LineTerminator: what `\s` matches there.
ECMA_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_IN_CLASS = {"d": "0-9", "w": "A-Za-z0-9_", "s": ECMA_SPACE}
_OUTSIDE = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]", "s": f"[{ECMA_SPACE}]",
            "S": f"[^{ECMA_SPACE}]"}


def ecma_to_python(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            letter = pattern[i + 1]
            if in_class and letter in _IN_CLASS:
                out.append(_IN_CLASS[letter])
            elif not in_class and letter in _OUTSIDE:
                out.append(_OUTSIDE[letter])
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]" or (out[-1] in ("[", "[^"))
            out.append(char)
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
            out.append(char)
        elif char == "$":
            out.append(r"\Z")
        elif char == ".":
            out.append("[^\n\r\u2028\u2029]")
        else:
            out.append(char)
        i += 1
    return "".join(out)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_to_python(pattern))


def ecma_search(pattern: str, text: str) -> bool:
    return compiled(pattern).search(text) is not None
