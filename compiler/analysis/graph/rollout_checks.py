"""Checks on roll-outs (SPEC section 7): the waves as written (names, order, `promoted`) and what they select
(unassigned edges, empty waves, coverage of the first wave)."""

from __future__ import annotations

from compiler.analysis.graph.values import RolloutNode, TransferGraph
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.schema_check import did_you_mean
from compiler.load.spec_set import Specs
from compiler.spec.model import Rollout

_ROLLOUT = ("spec", "rollout")


def rollout_problems(specs: Specs, graph: TransferGraph) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name in sorted(specs.publishes):
        rollout = specs.publishes[name].spec.rollout
        if rollout is None:
            continue
        out += _written(specs, name, rollout)
        node = graph.rollouts.get(name)
        if node is not None:
            out += _selected(specs, node, rollout)
    return out


def _written(specs: Specs, publish: str, rollout: Rollout) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    last = len(rollout.waves) - 1
    for index, wave in enumerate(rollout.waves):
        where = specs.locate("Publish", publish, (*_ROLLOUT, "waves", index, "name"))
        if wave.name in seen:
            first = specs.locate("Publish", publish, (*_ROLLOUT, "waves", seen[wave.name], "name"))
            out.append(Diagnostic.at(where, "duplicate-name",
                                     f"the roll-out of publish '{publish}' names wave '{wave.name}' twice",
                                     hint=f"first named at line {first.line}"))
        seen.setdefault(wave.name, index)
        if wave.selector is None and index != last:
            later = ", ".join(f"'{w.name}'" for w in rollout.waves[index + 1:])
            out.append(Diagnostic.at(
                where, "wave-order",
                f"wave '{wave.name}' of publish '{publish}' has no selector, so it takes every remaining edge and "
                f"leaves none for {later}",
                hint="only the last wave may omit its selector: give this one a selector or move it last"))
    if rollout.promoted is not None and rollout.promoted not in seen:
        out.append(Diagnostic.at(
            specs.locate("Publish", publish, (*_ROLLOUT, "promoted")), "unknown-reference",
            f"wave '{rollout.promoted}' not found in the roll-out of publish '{publish}'",
            hint=did_you_mean(rollout.promoted, seen) or "waves: " + ", ".join(seen)))
    return out


def _selected(specs: Specs, node: RolloutNode, rollout: Rollout) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    publish = node.publish
    replaced = ", ".join(f"'{q}'" for q in node.replaces)
    for edge in node.unassigned:
        out.append(Diagnostic.at(
            specs.locate("EdgeLocation", edge, ("metadata", "name")), "rollout-unassigned",
            f"edge location '{edge}' (on {replaced}) matches no wave of the roll-out of publish '{publish}', so it "
            f"would never be updated",
            hint=f"give it labels or tags a wave of '{publish}' selects, or end the roll-out with a wave without "
                 f"a selector"))
    if not any(w.edges for w in node.waves) and not node.unassigned:
        return out  # nothing to roll out: `empty-replacement` already says so
    for index, wave in enumerate(node.waves):
        if not wave.edges:
            out.append(Diagnostic.at(
                specs.locate("Publish", publish, (*_ROLLOUT, "waves", index, "name")), "empty-wave",
                f"wave '{wave.name}' of publish '{publish}' matches no edge location of {replaced}",
                severity=Severity.WARNING,
                hint="an earlier wave may already take its edges; check its selector"))
    if node.waves:
        out += _coverage(specs, node, rollout)
    return out


def _coverage(specs: Specs, node: RolloutNode, rollout: Rollout) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first = node.waves[0]
    for index, key in enumerate(rollout.coverage):
        held = {specs.edges[e].metadata.labels[key] for e in first.edges if key in specs.edges[e].metadata.labels}
        missing: dict[str, str] = {}  # value -> the first edge (by name, wave order) holding it
        for wave in node.waves[1:]:
            for edge in wave.edges:
                value = specs.edges[edge].metadata.labels.get(key)
                if value is not None and value not in held:
                    missing.setdefault(value, edge)
        if missing:
            listed = ", ".join(f"'{value}' (e.g. edge '{edge}')" for value, edge in sorted(missing.items()))
            out.append(Diagnostic.at(
                specs.locate("Publish", node.publish, (*_ROLLOUT, "coverage", index)), "rollout-coverage",
                f"label '{key}': the first wave '{first.name}' of publish '{node.publish}' holds no edge with "
                f"value {listed}, which later waves move",
                severity=Severity.WARNING,
                hint=f"add an edge with each of these '{key}' values to wave '{first.name}'"))
    return out
