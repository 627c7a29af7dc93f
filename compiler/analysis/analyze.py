"""Everything `validate` and `plan` know about a spec root, computed without side effects.

Layers: load and validate the documents (`compiler.load.load_root`), build the edge-transfer graph
(`compiler.analysis.graph`), judge every replacement's schema changes under the compatibility policy
(`compiler.analysis.compatibility`), and assemble the plan (`compiler.analysis.plan`). Diagnostics of every layer
are collected in one run, sorted and deduplicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.analysis.assay_impact import assay_impacts, impact_diagnostics
from compiler.analysis.compatibility import ReplacementCheck, check_replacements
from compiler.analysis.graph import TransferGraph, build_graph
from compiler.diagnostics import Diagnostic, has_errors, sorted_unique
from compiler.load.load_root import load_specs
from compiler.load.spec_set import Specs

if TYPE_CHECKING:
    from compiler.analysis.plan import Plan

#: The registry prefix rendered files name when the config has none: artifacts then live in the local OCI
#: layout `.edgec/oci`, from where `oras cp --from-oci-layout` can copy them to a real registry.
LOCAL_REGISTRY = "localhost/edgec"


@dataclass
class Analysis:
    specs: Specs
    graph: TransferGraph
    checks: dict[tuple[str, str], ReplacementCheck]
    diagnostics: list[Diagnostic]
    files: list[str]

    @property
    def registry(self) -> str:
        return self.specs.config.registry or LOCAL_REGISTRY

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def plan(self, *, pipeline_urls: Mapping[str, str] | None = None) -> Plan:
        """The plan; `pipeline_urls` pins publishes by digest (the built artifacts), else Wallaroo's tag form."""
        from compiler.analysis.plan import build_plan  # not imported by `validate`, which never builds a plan

        return build_plan(self.specs, self.graph, self.checks, self.diagnostics, registry=self.registry,
                          pipeline_urls=pipeline_urls)


def analyze(root: Path, *, replaced: Mapping[str, str] | None = None) -> Analysis:
    """`replaced`: spec files (relative path -> text) to analyse instead of their content on disk."""
    validation = load_specs(root, replaced=replaced)
    specs = validation.specs
    graph, graph_diagnostics = build_graph(specs)
    if has_errors(validation.diagnostics):
        # Documents that failed to load leave holes (an edge missing makes its publish look orphaned): warnings
        # computed on such a graph would mislead, so only its errors are kept until the specs are fixed.
        graph_diagnostics = [d for d in graph_diagnostics if d.is_error]
    else:
        graph_diagnostics += impact_diagnostics(specs, assay_impacts(specs, graph))
    checks, policy_diagnostics = check_replacements(specs, graph)
    diagnostics = sorted_unique([*validation.diagnostics, *graph_diagnostics, *policy_diagnostics])
    return Analysis(specs, graph, checks, diagnostics, validation.files)
