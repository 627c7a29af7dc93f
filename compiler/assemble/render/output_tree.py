"""The rendered tree (SPEC section 6) as `{path: bytes}`: per-edge GitOps files plus plan.json, PLAN.md and the lock.

Pure: the same specs give byte-identical files. Nothing here carries a timestamp or a source commit; those belong
to the deployment commit's trailers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.analysis.deployed import LOCK_FILE, PLAN_FILE
from compiler.analysis.graph import TransferGraph
from compiler.assemble.oci_objects import sha256_digest
from compiler.assemble.publish_artifacts import PublishArtifacts
from compiler.assemble.render import EdgeRelease, helm_values, render_edge_files, render_plan_md
from compiler.assemble.render.operator_commands import Commands, commands_for
from compiler.assemble.render.serialize import to_json
from compiler.load.spec_set import Specs

PLAN_MD_FILE = "PLAN.md"
LOCK_VERSION = 1


def edge_release(specs: Specs, graph: TransferGraph, edge: str, artifacts: PublishArtifacts,
                 registry: str) -> EdgeRelease:
    node = graph.edges[edge]
    device = specs.edges[edge].spec
    deployment = specs.publishes[node.publish].spec.deployment_config
    return EdgeRelease(
        edge=edge, publish=node.publish, pipeline=node.pipeline, version=node.version, tags=tuple(device.tags),
        arch=device.arch, accel=device.accel, engine=deployment.engine, engine_lb=deployment.engine_lb,
        registry=registry, pipeline_digest=artifacts.pipeline.digest, chart_digest=artifacts.chart.digest,
        engine_image=specs.config.engine_image, overrides=device.values, replaced=node.moved,
        insecure_registry=specs.config.insecure_registry, labels=dict(specs.edges[edge].metadata.labels),
        wave=node.wave[1] if node.wave else None,
    )


def lock_document(specs: Specs, artifacts: Mapping[str, PublishArtifacts], registry: str,
                  files: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """`edgec.lock.json`: every publish with its pinned digests (publishes recorded here are immutable) and the
    sha256 of every other file of the rendered tree (`files`), so that a later run sees what changed by hand."""
    document: dict[str, Any] = {
        "version": LOCK_VERSION,
        "registry": registry,
        "publishes": {
            name: {"pipeline": specs.publishes[name].spec.pipeline, "version": specs.publishes[name].spec.version,
                   **built.lock_entry(registry)}
            for name, built in sorted(artifacts.items())
        },
    }
    if files is not None:
        document["files"] = {path: sha256_digest(data) for path, data in sorted(files.items()) if path != LOCK_FILE}
    return document


def with_commands(plan: Mapping[str, Any], commands: Mapping[str, Commands]) -> dict[str, Any]:
    """The plan document with each edge's operator commands (`edges[].commands`)."""
    edges = [{**e, "commands": commands[e["name"]].to_json()} if e.get("name") in commands else e
             for e in plan.get("edges", [])]
    return {**plan, "edges": edges}


def render_outputs(specs: Specs, graph: TransferGraph, plan: Mapping[str, Any],
                   artifacts: Mapping[str, PublishArtifacts], registry: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    outputs = specs.config.outputs
    commands: dict[str, Commands] = {}
    for edge in sorted(graph.edges):
        release = edge_release(specs, graph, edge, artifacts[graph.edges[edge].publish], registry)
        files.update(render_edge_files(release, outputs))
        commands[edge] = commands_for(helm_values(release), registry=registry, pipeline=release.pipeline,
                                      version=release.version, moved=release.replaced,
                                      insecure_registry=release.insecure_registry)
    plan = with_commands(plan, commands)
    files[PLAN_FILE] = to_json(plan).encode()
    files[PLAN_MD_FILE] = render_plan_md(plan)
    files[LOCK_FILE] = to_json(lock_document(specs, artifacts, registry, files)).encode()
    return files
