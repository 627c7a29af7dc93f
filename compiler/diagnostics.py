"""The one diagnostic type, the one table of codes, and the exception family.

Problems in user specs are `Diagnostic` values collected in a run. Exceptions only abort a run: a usage error
(exit 2) or an environment failure such as an unreachable registry or a failing git remote (exit 3). Nothing
else in the package defines a diagnostic code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1  # the specs are invalid or violate the policy
    USAGE = 2  # (`plan --detailed-exitcode` exits 2 for "changes" and 1 for every failure, usage included)
    ENVIRONMENT = 3  # registry, git, auth, disk


@dataclass(frozen=True)
class CodeInfo:
    summary: str
    exit_code: ExitCode = ExitCode.INVALID


#: Every stable diagnostic code. Adding a code here is a public change: document it in README.md.
CODES: dict[str, CodeInfo] = {
    "yaml-syntax": CodeInfo("the file is not well-formed YAML"),
    "input-limit": CodeInfo("a file is too large, nests too deep or holds too many nodes (alias bomb)"),
    "not-regular-file": CodeInfo("a spec file or model artifact is a FIFO, a device or another non-regular file"),
    "schema": CodeInfo("a document does not match the JSON Schema of its kind"),
    "duplicate-name": CodeInfo("two resources of one kind share a name"),
    "unknown-reference": CodeInfo("a reference names a resource that does not exist"),
    "invalid-accel": CodeInfo("an accelerator that the architecture cannot carry"),
    "path-escape": CodeInfo("a model artifact path, or a rendered file, would leave its folder"),
    "artifact-missing": CodeInfo("a model artifact file or directory does not exist"),
    "replace-cycle": CodeInfo("publishes replace each other in a cycle"),
    "replace-conflict": CodeInfo("a publish is replaced by more than one publish"),
    "arch-mismatch": CodeInfo("an edge device cannot run its current publish's engine"),
    "step-mismatch": CodeInfo("a step's outputs do not feed the next step's inputs"),
    "breaking-change": CodeInfo("a schema change the compatibility policy forbids"),
    "unused-acknowledgement": CodeInfo("an acknowledgement that matches no schema finding"),
    "assay-impact": CodeInfo("the field an assay watches changes on the model of the assay to create"),
    "orphan-publish": CodeInfo("a publish that replaces nothing and serves no edge"),
    "empty-replacement": CodeInfo("a replacement of a publish that carried no edge"),
    "rollout-unassigned": CodeInfo("an edge of a replaced publish matches no wave of the roll-out"),
    "wave-order": CodeInfo("a wave without a selector that is not the last wave"),
    "empty-wave": CodeInfo("a roll-out wave that matches no edge location"),
    "rollout-coverage": CodeInfo("a label value of later waves is missing from the first wave"),
    "soak-pending": CodeInfo("edgec promote: the promoted wave has not run for its soak time yet"),
    "immutable-changed": CodeInfo("a published version would change content"),
    "recorded-artifact-missing": CodeInfo("the artifact store no longer holds an artifact the lock records, and "
                                          "this edgec would build other bytes", ExitCode.ENVIRONMENT),
    "registry-unreachable": CodeInfo("the OCI registry cannot be reached", ExitCode.ENVIRONMENT),
    "registry-auth": CodeInfo("the OCI registry refused the credentials", ExitCode.ENVIRONMENT),
    "registry-error": CodeInfo("the OCI registry rejected a request or served content that fails its digest",
                               ExitCode.ENVIRONMENT),
    "drift": CodeInfo("an owned file or a recorded tag was changed outside edgec"),
    "lock-invalid": CodeInfo("the deployment repository's edgec.lock.json or plan.json does not parse or validate",
                             ExitCode.ENVIRONMENT),
    "stale-compile": CodeInfo("the deployment was compiled from a newer or unrelated spec commit",
                              ExitCode.ENVIRONMENT),
    "git-failed": CodeInfo("a git operation on the deployment repository failed", ExitCode.ENVIRONMENT),
    "io-error": CodeInfo("a file could not be read or written", ExitCode.ENVIRONMENT),
    "edge-values": CodeInfo("an edge location's values do not fit the edge chart's values.schema.json"),
    "credential-in-values": CodeInfo("an edge location's values hold a key that looks like a credential"),
    "invalid-label": CodeInfo("an edge location's label is not a valid Kubernetes label, or is edgec's own"),
    "output-needs-repo": CodeInfo("the argocd-applicationset output without a deployRepo.url Argo CD can fetch"),
    "out-not-owned": CodeInfo("render --out names a folder that holds files edgec did not write, or the spec root",
                              ExitCode.USAGE),
    "usage": CodeInfo("the command line is wrong", ExitCode.USAGE),
}


def position_text(file: str | None, line: int | None, column: int | None, *, nowhere: str = "edgec") -> str:
    """The one spelling of a position: `file:line:col` (as far as known); `nowhere` when there is no file."""
    parts = [file or nowhere]
    if line is not None:
        parts.append(str(line))
        if column is not None:
            parts.append(str(column))
    return ":".join(parts)


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        return position_text(self.file, self.line, self.column, nowhere="?")


@dataclass(frozen=True)
class Diagnostic:
    """One problem, pointing into a spec file where a position exists.

    Not ordered by its fields (positions are optional, and None does not compare with int): `sort_key` is the one
    order. Every field, the hint included, takes part in equality, so de-duplication keeps exactly the distinct
    diagnostics whatever the input order.
    """

    file: str | None
    line: int | None
    column: int | None
    code: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")

    @classmethod
    def at(
        cls,
        location: Location | None,
        code: str,
        message: str,
        *,
        severity: Severity = Severity.ERROR,
        hint: str | None = None,
    ) -> Diagnostic:
        loc = location or Location()
        return cls(loc.file, loc.line, loc.column, code, message, severity, hint)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def position(self) -> str:
        return position_text(self.file, self.line, self.column)

    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        """A total order: by position (absent parts first), then code, message, severity and hint."""
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message, str(self.severity),
                self.hint or "")

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"severity": str(self.severity), "code": self.code, "message": self.message}
        for key in ("file", "line", "column", "hint"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def sorted_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deduplicated and in a stable order, so shuffled input gives identical output."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def exit_code_for(diagnostics: Iterable[Diagnostic]) -> ExitCode:
    codes = [CODES[d.code].exit_code for d in diagnostics if d.is_error]
    return max(codes, default=ExitCode.OK)


class EdgecError(Exception):
    """Aborts a run. Carries a diagnostic so the CLI reports it like any other."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic

    @property
    def exit_code(self) -> ExitCode:
        return CODES[self.diagnostic.code].exit_code


def fail(code: str, message: str, *, hint: str | None = None, location: Location | None = None) -> EdgecError:
    """Build an aborting error: `raise fail("registry-auth", ...)`."""
    return EdgecError(Diagnostic.at(location, code, message, hint=hint))
