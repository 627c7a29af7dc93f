"""`edgec promote`: which wave a roll-out moves to, and whether its soak allows it. Pure: the deployment history
arrives as `WaveClock` values and the time as a number; the file edit happens in `compiler.adapters.spec_edit`.

Rules (SPEC section 7): without `--to` the next wave is promoted. Moving forward is refused (`soak-pending`)
while the promoted wave has run less than its `soak`, measured from the deployment commit that moved it (a wave
that no compile has moved yet has not started its soak); moving past a wave skips its soak too, so that is
refused the same way. A wave without edges or without a soak never holds anything up. `--force` overrides and
the decision says what it overrode. `--to` an earlier wave rolls the later waves back; that is never refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.analysis.graph import TransferGraph, WaveNode
from compiler.analysis.graph.waves import format_duration
from compiler.analysis.plan.rollouts import Clocks, soak_left
from compiler.diagnostics import Diagnostic, fail
from compiler.load.schema_check import did_you_mean
from compiler.load.spec_set import Specs


@dataclass(frozen=True)
class Promotion:
    publish: str
    before: str | None
    after: str | None
    moved: tuple[str, ...]  # waves this promotion moves
    rolled_back: tuple[str, ...]  # waves it moves back to the replaced publish
    overridden: tuple[str, ...]  # with --force: the soak refusals it overrode
    refusal: Diagnostic | None = None

    @property
    def changes(self) -> bool:
        return self.before != self.after and self.refusal is None


def decide(specs: Specs, graph: TransferGraph, publish: str, to: str | None, *, force: bool, clocks: Clocks,
           now: int) -> Promotion:
    """The promotion, or one with a `refusal`; a publish or wave that does not exist is a usage error."""
    if publish not in specs.publishes:
        raise fail("usage", f"publish '{publish}' not found", hint=did_you_mean(publish, specs.publishes))
    rollout = specs.publishes[publish].spec.rollout
    if rollout is None:
        raise fail("usage", f"publish '{publish}' has no rollout to promote",
                   hint="add `rollout.waves` to the publish first")
    names = [w.name for w in rollout.waves]
    current = names.index(rollout.promoted) if rollout.promoted in names else -1
    if to is None:
        if current + 1 >= len(names):
            return Promotion(publish, rollout.promoted, rollout.promoted, (), (), ())
        target = current + 1
    elif to in names:
        target = names.index(to)
    else:
        raise fail("usage", f"wave '{to}' not found in the roll-out of publish '{publish}'",
                   hint=did_you_mean(to, names) or "waves: " + ", ".join(names))
    after = names[target]
    if target <= current:
        return Promotion(publish, rollout.promoted, after, (), tuple(names[target + 1:current + 1]), ())
    node = graph.rollouts.get(publish)
    waves = node.waves if node is not None else ()
    reasons = [reason for index in range(max(current, 0), target)
               if index < len(waves) and (reason := _unsoaked(publish, waves[index], index == current, clocks, now))]
    moved = tuple(names[current + 1:target + 1])
    if reasons and not force:
        where = specs.locate("Publish", publish, ("spec", "rollout", "promoted") if rollout.promoted else
                             ("spec", "rollout", "waves"))
        refusal = Diagnostic.at(where, "soak-pending", f"cannot promote '{publish}' to wave '{after}': "
                                + "; ".join(reasons),
                                hint="wait for the soak, or pass --force to promote anyway")
        return Promotion(publish, rollout.promoted, rollout.promoted, (), (), (), refusal)
    return Promotion(publish, rollout.promoted, after, moved, (), tuple(reasons))


def _unsoaked(publish: str, wave: WaveNode, is_promoted: bool, clocks: Clocks, now: int) -> str | None:
    """Why `wave` still holds up the next one (None: it does not)."""
    if not wave.soak_seconds or not wave.edges:
        return None
    if not is_promoted:
        return f"that skips the {wave.soak} soak of wave '{wave.name}'"
    clock = clocks.get((publish, wave.name))
    if clock is None:
        return (f"wave '{wave.name}' has not reached the deployment repository yet (no compile has moved it), so "
                f"its {wave.soak} soak has not started")
    left = soak_left(wave, clock, now)
    if left:
        ran = format_duration(max(0, now - clock.time))
        return (f"wave '{wave.name}' has run {ran} of its {wave.soak} soak since deployment commit "
                f"{clock.commit[:12]}; {format_duration(left)} left")
    return None
