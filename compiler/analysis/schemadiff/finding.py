"""The value a schema diff produces: one classified change at one log-column path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compiler.diagnostics import Location, Severity

Role = Literal["input", "output"]
#: Where a field stands inside its role's schema list, as a document path: `(0,)`, `(2, "fields", 1)`,
#: `(0, "items")`. The model document adds `spec.inputSchema` / `spec.outputSchema` in front.
Pointer = tuple[str | int, ...]

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def severity_rank(severity: Severity) -> int:
    return _RANK[severity]


def worst(*severities: Severity) -> Severity:
    return max(severities, key=severity_rank)


def acknowledgement(rule: str, path: str) -> str:
    """The snippet that accepts a finding in a publish: `acknowledge: [{rule: R, field: P}]`."""
    return f"acknowledge: [{{rule: {rule}, field: {path}}}]"


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "TYPE_WIDENED"
    role: Role
    path: str  # log-column form: in.x, out.detections[].score
    clients: Severity  # verdict for inference clients of this role
    log: Severity  # verdict for the inference-log table
    old: str | None  # rendered old type; None when the field is absent
    new: str | None
    message: str  # what changed and what it means; printers put the path in front
    fix: str | None = None  # how to avoid the change (or, for a rename candidate, what edgec does)
    acknowledgeable: bool = False  # a verdict is an error: the author may accept it in `acknowledge`
    compared_with: str | None = None  # transitive checks: the earlier publish this finding is against
    old_pointer: Pointer | None = None  # where the field stands in the old / new schema (None: absent)
    new_pointer: Pointer | None = None
    old_at: Location | None = None  # the same in the model files, once a caller located them
    new_at: Location | None = None

    @property
    def severity(self) -> Severity:
        """The worse of the two audiences' verdicts."""
        return worst(self.clients, self.log)

    @property
    def acknowledge(self) -> str | None:
        """The snippet that accepts this finding, when it is one an author may accept."""
        return acknowledgement(self.rule, self.path) if self.acknowledgeable else None

    @property
    def hint(self) -> str | None:
        ack = self.acknowledge
        if ack is None:
            return self.fix
        return f"{self.fix}; or accept it with `{ack}`" if self.fix else f"accept it with `{ack}`"

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.path, self.rule, self.role, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "role": self.role,
            "path": self.path,
            "severity": {"clients": str(self.clients), "log": str(self.log), "max": str(self.severity)},
            "old": self.old,
            "new": self.new,
            "message": self.message,
            "hint": self.hint,
            "comparedWith": self.compared_with,
            "oldLocation": _location_json(self.old_at),
            "newLocation": _location_json(self.new_at),
        }


def _location_json(location: Location | None) -> dict[str, object] | None:
    if location is None or location.file is None:
        return None
    out: dict[str, object] = {"file": location.file}
    if location.line is not None:
        out["line"] = location.line
    if location.column is not None:
        out["column"] = location.column
    return out
