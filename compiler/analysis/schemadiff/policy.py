"""The compatibility policy: which findings fail the compile, and which of those the author acknowledged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compiler.analysis.schemadiff.finding import Finding, Role
from compiler.diagnostics import Severity
from compiler.spec.model import Acknowledgement, Compatibility

C = Compatibility

#: The client roles whose errors each policy enforces. Transitive forms enforce the same roles; they differ in
#: what is diffed (every earlier publish, see `diff_transitive`), not in how a finding is judged.
_CHECKED_ROLES: dict[Compatibility, frozenset[Role]] = {
    C.BACKWARD: frozenset({"input"}),
    C.BACKWARD_TRANSITIVE: frozenset({"input"}),
    C.FORWARD: frozenset({"output"}),
    C.FORWARD_TRANSITIVE: frozenset({"output"}),
    C.FULL: frozenset({"input", "output"}),
    C.FULL_TRANSITIVE: frozenset({"input", "output"}),
    C.NONE: frozenset(),
}


def is_transitive(compatibility: Compatibility) -> bool:
    """Whether the policy checks every earlier publish (use `diff_transitive`) or only the replaced one."""
    return compatibility.name.endswith("_TRANSITIVE")


@dataclass(frozen=True)
class Verdict:
    finding: Finding
    fails: bool  # fails the compile under the policy and is not acknowledged
    acknowledged: bool  # would fail, but the publish lists it in `acknowledge`
    audiences: tuple[str, ...]  # which of "clients"/"log" make it fail (also when acknowledged)

    def to_json(self) -> dict[str, object]:
        return {**self.finding.to_json(), "fails": self.fails, "acknowledged": self.acknowledged}


def failing_audiences(finding: Finding, compatibility: Compatibility) -> tuple[str, ...]:
    out: list[str] = []
    if finding.clients is Severity.ERROR and finding.role in _CHECKED_ROLES[compatibility]:
        out.append("clients")
    if finding.log is Severity.ERROR and compatibility is not C.NONE:
        out.append("log")
    return tuple(out)


def apply_policy(
    findings: Iterable[Finding], compatibility: Compatibility, acknowledge: Sequence[Acknowledgement] = ()
) -> list[Verdict]:
    """Judge every finding; an acknowledgement matches a finding by (rule, field == path)."""
    accepted = {(a.rule, a.field) for a in acknowledge}
    verdicts = []
    for f in findings:
        audiences = failing_audiences(f, compatibility)
        acknowledged = bool(audiences) and (f.rule, f.path) in accepted
        verdicts.append(
            Verdict(f, fails=bool(audiences) and not acknowledged, acknowledged=acknowledged, audiences=audiences)
        )
    return verdicts


def unused_acknowledgements(
    findings: Iterable[Finding], acknowledge: Sequence[Acknowledgement]
) -> list[Acknowledgement]:
    """Acknowledgements that match no finding (a typo, or a change that is gone), in their given order."""
    present = {(f.rule, f.path) for f in findings}
    return [a for a in acknowledge if (a.rule, a.field) not in present]
