"""Wave membership of one edge in one roll-out (SPEC section 7). Pure and per edge: whether an edge is in a wave
depends only on the edge and the roll-out, never on the rest of the fleet, so adding edges moves no other edge.

`percent: N` uses a hash of (replacing publish name, edge name) mapped to [0, 1): stable as the fleet grows and
different for each roll-out. Consecutive percent waves take consecutive slices of that range: a wave of N% takes
the lowest N% of the range the earlier percent waves left, so `10` then `50` take 10% and then half of the other
90%. An edge whose hash fell in an earlier percent wave's slice but failed that wave's other conditions is not
taken by a later percent wave (it falls to a wave without `percent`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compiler.spec.model import Rollout

_UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"([0-9]+)([wdhms])")


def soak_seconds(text: str | None) -> int:
    """`2h` -> 7200, `1h30m` -> 5400; None -> 0 (the schema has checked the form)."""
    if not text:
        return 0
    return sum(int(number) * _UNITS[unit] for number, unit in _PART.findall(text))


def format_duration(seconds: int) -> str:
    """The largest two units: 5400 -> `1h30m`, 90061 -> `1d1h`, 0 -> `0s`."""
    if seconds <= 0:
        return "0s"
    parts: list[str] = []
    for unit, size in _UNITS.items():
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return "".join(parts)


def share(publish: str, edge: str) -> float:
    """The edge's place in [0, 1) for the roll-out of `publish`."""
    digest = hashlib.sha256(f"{publish}\0{edge}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class _Selector:
    labels: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    low: float | None  # the percent slice [low, high), None without `percent`
    high: float


@dataclass(frozen=True)
class WavePicker:
    """The waves of one roll-out, prepared once; `wave_of` then costs one hash per edge at most."""

    publish: str
    selectors: tuple[_Selector | None, ...]  # None: no selector (takes every edge)
    uses_percent: bool

    @classmethod
    def of(cls, publish: str, rollout: Rollout) -> WavePicker:
        selectors: list[_Selector | None] = []
        low = 0.0
        for wave in rollout.waves:
            s = wave.selector
            if s is None:
                selectors.append(None)
                continue
            slice_low: float | None = None
            high = 1.0
            if s.percent is not None:
                slice_low, high = low, low + (1.0 - low) * s.percent / 100
                low = high
            selectors.append(_Selector(tuple(sorted((s.match_labels or {}).items())), tuple(s.match_tags or ()),
                                       slice_low, high))
        return cls(publish, tuple(selectors), any(s is not None and s.low is not None for s in selectors))

    def wave_of(self, edge: str, labels: Mapping[str, str], tags: Sequence[str]) -> int | None:
        """The index of the first wave the edge matches; None when it matches none."""
        place = share(self.publish, edge) if self.uses_percent else 0.0
        for index, selector in enumerate(self.selectors):
            if selector is None:
                return index
            if selector.low is not None and not selector.low <= place < selector.high:
                continue
            if any(labels.get(key) != value for key, value in selector.labels):
                continue
            if selector.tags and not set(selector.tags).issubset(tags):
                continue
            return index
        return None
