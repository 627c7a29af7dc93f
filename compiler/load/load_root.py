"""Load a spec root and validate it in layers, collecting every diagnostic in one run.

1. YAML syntax (and input limits), 2. JSON Schema per kind, 3. references, names, accelerators and model
artifact paths. The graph and the compatibility policy are checked on top of this by `compiler.analysis.analyze`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.diagnostics import Diagnostic, Location
from compiler.load.discovery import CONFIG_FILE, discover
from compiler.load.edge_values import check_edge_values
from compiler.load.model_files import check_artifacts
from compiler.load.references import check_references
from compiler.load.schema_check import check_document
from compiler.load.spec_set import Specs
from compiler.load.yaml_source import NodeBudget, SourceDocument, parse_yaml, parse_yaml_text
from compiler.spec.git_url import is_fetchable_elsewhere
from compiler.spec.model import ConfigResource, ConfigSpec, OutputKind

__all__ = ["Validation", "load_specs"]

#: Codes whose diagnostic depends only on the file it points into (its syntax, its schema, its own artifact):
#: no change to another file can cause one. Every other code may come from a rule across files.
SINGLE_FILE_CODES = frozenset({"yaml-syntax", "input-limit", "not-regular-file", "schema", "invalid-accel",
                               "path-escape", "artifact-missing", "output-needs-repo"})

_NAMED_KINDS = ("Model", "Pipeline", "Publish", "EdgeLocation", "Assay")


@dataclass
class Validation:
    specs: Specs
    diagnostics: list[Diagnostic]
    files: list[str]  # the spec files read, relative to the root


def load_specs(root: Path, *, replaced: Mapping[str, str] | None = None) -> Validation:
    """`replaced`: spec files (relative path -> text) read from there instead of the disk, to validate an edit
    before it is written (`edgec promote`)."""
    root = root.resolve()
    specs = Specs(root=root)
    diagnostics: list[Diagnostic] = []
    diagnostics += _load_config(specs)
    files = discover(root, specs.config.exclude)
    budget = NodeBudget()
    for rel in files:
        if replaced and rel in replaced:
            documents, problems = parse_yaml_text(replaced[rel], rel, budget=budget)
        else:
            documents, problems = parse_yaml(root / rel, rel, root=root, budget=budget)
        diagnostics += problems
        for document in documents:
            diagnostics += _add_document(specs, document)
    diagnostics += check_references(specs)
    diagnostics += check_artifacts(specs)
    diagnostics += check_edge_values(specs)
    return Validation(specs, diagnostics, files)


def _load_config(specs: Specs) -> list[Diagnostic]:
    path = specs.root / CONFIG_FILE
    if not path.is_file():
        return []
    documents, problems = parse_yaml(path, CONFIG_FILE, root=specs.root)
    if problems:
        return problems
    if len(documents) != 1:
        return [Diagnostic.at(Location(CONFIG_FILE, 1, 1), "schema",
                              f"{CONFIG_FILE} must hold exactly one document of kind Config")]
    document = documents[0]
    kind, resource, problems = check_document(document)
    if problems:
        return problems
    if not isinstance(resource, ConfigResource):
        return [Diagnostic.at(document.location(("kind",)), "schema",
                              f"{CONFIG_FILE} must be of kind Config, not {kind}")]
    specs.config = resource.spec
    return _output_needs(document, resource.spec)


def _output_needs(document: SourceDocument, config: ConfigSpec) -> list[Diagnostic]:
    """An ApplicationSet's git generator runs in Argo CD, so it needs a repository URL Argo CD can fetch."""
    if OutputKind.ARGOCD_APPLICATIONSET not in config.outputs:
        return []
    repo = config.deploy_repo
    if repo is not None and is_fetchable_elsewhere(repo.url):
        return []
    index = config.outputs.index(OutputKind.ARGOCD_APPLICATIONSET)
    found = "no deployRepo" if repo is None else f"deployRepo.url {repo.url!r} is a local path"
    return [Diagnostic.at(
        document.location(("spec", "outputs", index)), "output-needs-repo",
        f"the argocd-applicationset output needs a deployment repository Argo CD can fetch, and {found}",
        hint="set deployRepo.url to the git URL Argo CD reads (https://... or git@host:path)")]


def _add_document(specs: Specs, document: SourceDocument) -> list[Diagnostic]:
    kind, resource, problems = check_document(document)
    if problems or resource is None or kind is None:
        data = document.data
        metadata = data.get("metadata") if isinstance(data, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if kind in _NAMED_KINDS and isinstance(name, str):
            specs.broken.add((kind, name))
        return problems
    if kind == "Config":
        return [Diagnostic.at(document.location(("kind",)), "schema",
                              f"a Config belongs in {CONFIG_FILE} at the spec root",
                              hint="move the settings there, or remove this document")]
    name = resource.metadata.name  # type: ignore[attr-defined]
    table = specs.of_kind(kind)
    if name in table:
        first = specs.documents[(kind, name)]
        where = first.location(("metadata", "name"))
        return [Diagnostic.at(document.location(("metadata", "name")), "duplicate-name",
                              f"{kind} '{name}' is defined twice",
                              hint=f"first defined at {where}")]
    table[name] = resource
    specs.documents[(kind, name)] = document
    return []
