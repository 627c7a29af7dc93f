"""Assay impacts: the field an assay watches changes under the assay that replaces it.

A replacement that pauses an assay names the (pipeline, model) key to create instead. The new assay watches the
same `iopath` on the new model; when that field has another type or shape there (or is gone), the old assay's
baseline and bins were built on data the new one will not see, so its analyses stop being comparable. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.analysis.graph import TransferGraph
from compiler.analysis.schemadiff import Finding, diff_schemas
from compiler.diagnostics import Diagnostic, Severity
from compiler.load.spec_set import Specs
from compiler.spec.model import SchemaField

#: Findings that do not change what an assay's bins hold.
_NOT_AN_IMPACT = frozenset({"METADATA_CHANGED", "FIELD_RENAME_CANDIDATE"})


@dataclass(frozen=True)
class AssayImpact:
    assay: str
    publish: str
    replaces: str
    field: str  # log-column path of the watched field: out.variable
    create: tuple[str, str]  # the (pipeline, model) of the assay to create
    findings: tuple[Finding, ...]

    @property
    def changes(self) -> str:
        return "; ".join(f"{f.rule} {f.old or 'absent'} -> {f.new or 'absent'}" for f in self.findings)

    @property
    def message(self) -> str:
        return (f"assay '{self.assay}' watches {self.field}; on ({self.create[0]}, {self.create[1]}), where "
                f"'{self.publish}' replacing '{self.replaces}' moves its traffic, that field changes: "
                f"{self.changes}: the old baseline and bins do not compare with the new analyses")


def watched_field(iopath: str) -> tuple[str, str] | None:
    """(role, field name) of a Wallaroo iopath such as `output variable 0`; None for another form."""
    parts = iopath.split()
    if len(parts) < 2 or parts[0] not in ("input", "output"):
        return None
    name = parts[1:-1] if len(parts) > 2 and parts[-1].isdigit() else parts[1:]
    return parts[0], " ".join(name)


def assay_impacts(specs: Specs, graph: TransferGraph) -> list[AssayImpact]:
    """Every (replacement, paused assay) whose watched field differs on the model of the assay to create."""
    out: list[AssayImpact] = []
    for r in graph.replacements:
        for pause in r.assays:
            old_model, new_model = specs.models.get(pause.model), specs.models.get(pause.create[1])
            watched = watched_field(pause.iopath)
            if old_model is None or new_model is None or watched is None or pause.model == pause.create[1]:
                continue
            role, name = watched
            old = _named(old_model.spec.input_schema if role == "input" else old_model.spec.output_schema, name)
            if not old:
                continue  # the iopath names no declared field: nothing to compare
            new = _named(new_model.spec.input_schema if role == "input" else new_model.spec.output_schema, name)
            found = diff_schemas(old, [], new, []) if role == "input" else diff_schemas([], old, [], new)
            findings = tuple(f for f in found if f.rule not in _NOT_AN_IMPACT)
            if findings:
                prefix = "in." if role == "input" else "out."
                out.append(AssayImpact(pause.name, r.publish, r.replaces, prefix + name, pause.create, findings))
    return out


def impact_diagnostics(specs: Specs, impacts: list[AssayImpact]) -> list[Diagnostic]:
    return [Diagnostic.at(specs.locate("Assay", i.assay, ("spec", "iopath")), "assay-impact", i.message,
                          severity=Severity.WARNING,
                          hint="create the new assay with a fresh baseline rather than copying the old one's")
            for i in impacts]


def _named(fields: list[SchemaField], name: str) -> list[SchemaField]:
    return [f for f in fields if f.name == name]
