"""Did-you-mean hints in bounded work: a memo per word and at most a fixed number of candidates per lookup.

`difflib.get_close_matches` over every name for every unknown reference made a mass rename quadratic (6,200
edges pointing at missing publishes took 847 s). Here each distinct word is looked up once, and a lookup in a
large set compares the word only with the names sharing its longest prefixes and suffixes (lengths in steps of
three; at most about `LIMIT` names from each end), so the work of a run grows linearly with the number of
unknown references.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

_CUTOFF = 0.6
_AFFIX = 3
LIMIT = 16  # names taken from each end per lookup: 6,000 unknown references cost ~4 s of difflib at 64


class Suggester:
    def __init__(self, candidates: Iterable[str], *, limit: int = LIMIT) -> None:
        self._names = sorted(set(candidates))
        self._limit = limit
        self._memo: dict[str, str | None] = {}
        self._index: dict[tuple[bool, str], list[str]] | None = None
        self.compared = 0  # names the word was compared with, over every lookup (tests count work with it)

    def __call__(self, word: object) -> str | None:
        """`did you mean 'x'?` for the closest name, or None."""
        if not isinstance(word, str):
            return None
        if word not in self._memo:
            pool = self._pool(word)
            self.compared += len(pool)
            match = difflib.get_close_matches(word, pool, n=1, cutoff=_CUTOFF)
            self._memo[word] = f"did you mean '{match[0]}'?" if match else None
        return self._memo[word]

    def _pool(self, word: str) -> list[str]:
        """All names when they are few; else the names sharing the longest prefixes and suffixes with `word`."""
        if len(self._names) <= 2 * self._limit:
            return self._names
        if self._index is None:
            self._index = {}
            for name in self._names:  # sorted, so a bucket keeps its first `limit` names in order
                for affix in _affixes(name):
                    bucket = self._index.setdefault(affix, [])
                    if len(bucket) < self._limit:
                        bucket.append(name)
        pool: set[str] = set()
        for at_end in (False, True):
            found: set[str] = set()
            for affix in reversed([a for a in _affixes(word) if a[0] is at_end]):  # the longest first
                found.update(self._index.get(affix, ()))
                if len(found) >= self._limit:
                    break
            pool |= found
        return sorted(pool)


def _affixes(name: str) -> list[tuple[bool, str]]:
    """(False, prefix) and (True, suffix) of every length that is a multiple of three, up to the whole name."""
    lengths = range(_AFFIX, len(name) + 1, _AFFIX)
    return [(False, name[:n]) for n in lengths] + [(True, name[-n:]) for n in lengths]


def did_you_mean(word: object, candidates: Iterable[str]) -> str | None:
    """One lookup in a small set (keys, enum values, kinds)."""
    return Suggester(candidates)(word)
