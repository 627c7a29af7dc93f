"""Each roll-out as the plan shows it (SPEC section 7): its waves in order with their edges, which moved, which is
next, and how much soak time is left. Pure: the deployment repository's history arrives as `WaveClock` values.

Soak times are only known with that history (`edgec plan` reads it; a rendered plan.json never carries them, so
an unchanged plan still renders byte-identical files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.analysis.graph import RolloutNode, TransferGraph, WaveNode
from compiler.analysis.graph.waves import format_duration


@dataclass(frozen=True)
class WaveClock:
    """The deployment commit that (most recently) moved a wave's edges, and its committer time."""

    commit: str
    time: int  # unix seconds


Clocks = Mapping[tuple[str, str], WaveClock]  # (replacing publish, wave) -> clock


@dataclass(frozen=True)
class WavePlan:
    wave: WaveNode
    clock: WaveClock | None  # None: not moved in the deployment repository yet (or its history unread)
    soak_left: int | None  # seconds; None when unknown (no clock)

    def to_json(self) -> dict[str, Any]:
        w = self.wave
        out: dict[str, Any] = {"name": w.name, "state": w.state, "soak": w.soak, "soakSeconds": w.soak_seconds,
                               "edges": list(w.edges)}
        if self.clock is not None:
            out["movedBy"] = {"commit": self.clock.commit, "time": self.clock.time}
            out["soakLeft"] = self.soak_left
        return out


@dataclass(frozen=True)
class RolloutPlan:
    rollout: RolloutNode
    waves: tuple[WavePlan, ...]

    @property
    def promoted(self) -> WavePlan | None:
        return next((w for w in reversed(self.waves) if w.wave.state == "moved"), None)

    def to_json(self) -> dict[str, Any]:
        r = self.rollout
        next_wave = r.next_wave
        return {"publish": r.publish, "replaces": list(r.replaces), "promoted": r.promoted,
                "next": next_wave.name if next_wave else None, "complete": r.complete,
                "waves": [w.to_json() for w in self.waves], "unassigned": list(r.unassigned)}


def rollout_plans(graph: TransferGraph, clocks: Clocks | None = None, now: int | None = None
                  ) -> tuple[RolloutPlan, ...]:
    out = []
    for name, node in sorted(graph.rollouts.items()):
        waves = []
        for wave in node.waves:
            clock = clocks.get((name, wave.name)) if clocks is not None and wave.state == "moved" else None
            left = soak_left(wave, clock, now) if clock is not None and now is not None else None
            waves.append(WavePlan(wave, clock, left))
        out.append(RolloutPlan(node, tuple(waves)))
    return tuple(out)


def soak_left(wave: WaveNode, clock: WaveClock, now: int) -> int:
    return max(0, clock.time + wave.soak_seconds - now)


def wave_status(plan: WavePlan) -> str:
    """`moved (soak 2h, 1h20m left)`, `next`, `waiting`: one short phrase per wave for the printers."""
    w = plan.wave
    text: str = w.state
    if w.soak:
        if plan.soak_left is None:
            text += f" (soak {w.soak})"
        elif plan.soak_left:
            text += f" (soak {w.soak}, {format_duration(plan.soak_left)} left)"
        else:
            text += f" (soak {w.soak}, done)"
    return text


def wave_moves(rollouts: tuple[RolloutPlan, ...], deployed_plan: Mapping[str, Any]
               ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(publish, wave) pairs that this plan moves and moves back, against the deployed plan.json's `rollouts`
    (a wave counts as moved before when that record says so; no record: nothing had moved)."""
    before: set[tuple[str, str]] = set()
    recorded = deployed_plan.get("rollouts")
    for entry in recorded if isinstance(recorded, list) else ():
        if isinstance(entry, Mapping) and isinstance(entry.get("waves"), list):
            before |= {(str(entry.get("publish")), str(w.get("name"))) for w in entry["waves"]
                       if isinstance(w, Mapping) and w.get("state") == "moved"}
    now = {(r.rollout.publish, w.wave.name) for r in rollouts for w in r.waves if w.wave.state == "moved"}
    order = [(r.rollout.publish, w.wave.name) for r in rollouts for w in r.waves]
    return [key for key in order if key in now and key not in before], \
        [key for key in order if key in before and key not in now]
