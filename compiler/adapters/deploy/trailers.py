"""The trailers of compile commits that record roll-out waves (`Edgec-Wave-Moved: <publish>/<wave>`,
`Edgec-Wave-Back: ...`), and reading them back from `git log` output. Pure: no git here (see `history`)."""

from __future__ import annotations

import re

from compiler.analysis.plan.rollouts import WaveClock

MOVED, BACK = "Edgec-Wave-Moved", "Edgec-Wave-Back"

_TRAILER = re.compile(rf"^({MOVED}|{BACK}): ([a-z0-9-]+)/([a-z0-9-]+)\s*$", re.MULTILINE)
RECORD, FIELD = "\x1e", "\x1f"


def wave_trailers(moved: list[tuple[str, str]], back: list[tuple[str, str]]) -> list[str]:
    """The trailer lines a compile commit carries for the waves it moves and moves back."""
    return [f"{MOVED}: {p}/{w}" for p, w in moved] + [f"{BACK}: {p}/{w}" for p, w in back]


def parse_log(text: str) -> dict[tuple[str, str], WaveClock]:
    """`git log --format=%H%x1f%ct%x1f%B%x1e` output, newest first -> the clock of each wave moved now."""
    seen: set[tuple[str, str]] = set()
    clocks: dict[tuple[str, str], WaveClock] = {}
    for record in text.split(RECORD):
        parts = record.strip("\n").split(FIELD, 2)
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        commit, time, body = parts[0].strip(), int(parts[1]), parts[2]
        trailers = body.rstrip().rsplit("\n\n", 1)[-1]  # trailers are the last paragraph
        for kind, publish, wave in _TRAILER.findall(trailers):
            key = (publish, wave)
            if key in seen:
                continue
            seen.add(key)
            if kind == MOVED:
                clocks[key] = WaveClock(commit, time)
    return clocks
