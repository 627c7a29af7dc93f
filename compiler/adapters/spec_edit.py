"""Rewrite one scalar of a spec file in place: `rollout.promoted` for `edgec promote`.

ruamel.yaml's round-trip loader finds the document and the exact position of the key; the edit itself is a
splice of the source text at that position, so every other byte of the file (comments, key order, flow style,
quoting, blank lines, other documents) stays as it was. The result is loaded again and must equal the original
data with only that one value changed, else the edit is refused (it never guesses).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from compiler.adapters.files import atomic_write
from compiler.diagnostics import fail

_PLAIN = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_.]*")


@dataclass(frozen=True)
class EditedFile:
    path: Path
    before: str
    after: str

    def write(self) -> None:
        """Atomically: readers see the old file or the new one, never a torn one."""
        try:
            atomic_write(self.path, self.after.encode("utf-8"))
        except OSError as exc:
            raise fail("io-error", f"cannot write {self.path}: {exc.strerror or exc}") from None


def set_promoted(path: Path, index: int, value: str) -> EditedFile:
    """The file with `spec.rollout.promoted` of its document number `index` (0-based, empty documents not
    counted) set to `value`: replaced where it is written, else added as the first key of `rollout`."""
    try:
        before = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("io-error", f"cannot read {path}: {exc}") from None
    documents = _load(before, path)
    if index >= len(documents):
        raise fail("io-error", f"{path}: document {index + 1} not found (the file changed meanwhile)")
    rollout = _rollout(documents[index], path)
    starts = _line_starts(before)
    if "promoted" in rollout:
        line, column = rollout.lc.value("promoted")
        offset = starts[line] + column
        old = _scalar_at(before, offset)
        if old is None:
            raise fail("io-error", f"{path}:{line + 1}:{column + 1}: `promoted` is not a plain or quoted name; "
                                   "edit it by hand")
        quote = before[offset] if before[offset] in "'\"" else ""
        after = before[:offset] + f"{quote}{value}{quote}" + before[offset + len(old):]
    elif rollout.fa.flow_style():
        line, column = rollout.lc.line, rollout.lc.col
        offset = before.index("{", starts[line] + column) + 1
        after = before[:offset] + f"promoted: {value}, " + before[offset:]
    else:
        first = next(iter(rollout))
        line, column = rollout.lc.key(first)
        offset = starts[line] + column
        after = before[:offset] + f"promoted: {value}\n" + " " * column + before[offset:]
    _check(documents, index, after, value, path)
    return EditedFile(path, before, after)


def _load(text: str, path: Path) -> list[Any]:
    yaml = YAML(typ="rt")
    try:
        return [d for d in yaml.load_all(io.StringIO(text)) if d is not None]
    except YAMLError as exc:
        raise fail("io-error", f"{path}: cannot parse for editing: {str(exc).splitlines()[0]}") from None


def _rollout(document: Any, path: Path) -> CommentedMap:
    spec = document.get("spec") if isinstance(document, CommentedMap) else None
    rollout = spec.get("rollout") if isinstance(spec, CommentedMap) else None
    if not isinstance(rollout, CommentedMap) or not rollout:
        raise fail("io-error", f"{path}: the publish has no `rollout` mapping to edit")
    return rollout


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text):
        starts.append(match.end())
    return starts


def _scalar_at(text: str, offset: int) -> str | None:
    """The scalar's source text at `offset`: a plain name or a quoted one without escapes."""
    if text[offset:offset + 1] in ("'", '"'):
        quote = text[offset]
        end = text.find(quote, offset + 1)
        inner = text[offset + 1:end] if end > 0 else ""
        return f"{quote}{inner}{quote}" if end > 0 and _PLAIN.fullmatch(inner) else None
    match = _PLAIN.match(text, offset)
    return match.group(0) if match else None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _check(documents: list[Any], index: int, after: str, value: str, path: Path) -> None:
    """The edited text must hold the same documents with only `promoted` changed."""
    expected = [_plain(d) for d in documents]
    expected[index]["spec"]["rollout"]["promoted"] = value
    actual = [_plain(d) for d in _load(after, path)]
    if actual != expected:  # dict equality ignores key order, which an added key changes
        raise fail("io-error", f"{path}: editing `rollout.promoted` in place would change more than that value; "
                               "edit it by hand")
