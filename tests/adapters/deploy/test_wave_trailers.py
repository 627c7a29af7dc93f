"""Reading roll-out wave trailers back from `git log` output: the newest event per wave wins, only trailers in
the last paragraph count, and a roll-back clears the wave's clock."""

from __future__ import annotations

from compiler.adapters.deploy.trailers import FIELD, RECORD, parse_log, wave_trailers
from compiler.analysis.plan.rollouts import WaveClock


def _log(*commits: tuple[str, int, str]) -> str:
    return "".join(f"{sha}{FIELD}{time}{FIELD}{body}{RECORD}\n" for sha, time, body in commits)


def _body(*trailers: str, text: str = "edgec: 2 edges moved") -> str:
    return f"{text}\n\n- wave x moves\n\nEdgec-Version: 0.1.0\n" + "".join(f"{t}\n" for t in trailers)


def test_the_newest_event_per_wave_wins() -> None:
    log = _log(  # newest first, as git log prints
        ("c3", 300, _body(*wave_trailers([("pub", "early")], []))),
        ("c2", 200, _body(*wave_trailers([], [("pub", "rest")]))),
        ("c1", 100, _body(*wave_trailers([("pub", "canary"), ("pub", "rest")], []))),
        ("c0", 50, _body(*wave_trailers([("pub", "early")], []))),
    )
    assert parse_log(log) == {("pub", "early"): WaveClock("c3", 300), ("pub", "canary"): WaveClock("c1", 100)}


def test_only_the_trailer_paragraph_counts() -> None:
    quoted = "edgec: x\n\nEdgec-Wave-Moved: pub/canary\n\nEdgec-Version: 0.1.0\n"  # in the body, not a trailer
    assert parse_log(_log(("c1", 100, quoted))) == {}
    assert parse_log("garbage without fields") == {}
