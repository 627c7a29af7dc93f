"""The value a schema diff produces: one classified change at one log-column path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compiler.diagnostics import Severity

Role = Literal["input", "output"]

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def severity_rank(severity: Severity) -> int:
    return _RANK[severity]


def worst(*severities: Severity) -> Severity:
    return max(severities, key=severity_rank)


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "TYPE_WIDENED"
    role: Role
    path: str  # log-column form: in.x, out.detections[].score
    clients: Severity  # verdict for inference clients of this role
    log: Severity  # verdict for the inference-log table
    old: str | None  # rendered old type; None when the field is absent
    new: str | None
    message: str
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        """The worse of the two audiences' verdicts."""
        return worst(self.clients, self.log)

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
        }
