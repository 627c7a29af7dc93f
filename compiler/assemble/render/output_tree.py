"""The rendered tree (SPEC section 6) as `{path: bytes}`: per-edge GitOps files and plan record, plus the root
plan.json (a summary: `compiler.assemble.render.plan_files`), PLAN.md and the lock.

Pure: the same specs give byte-identical files. Nothing here carries a timestamp or a source commit; those belong
to the deployment commit's trailers. No root file lists the edges, so a one-edge change rewrites only that edge's
folder and the root files, whose size follows the publishes. An edge whose render digest (`edge_digest`) equals
the one its deployed record holds is not rendered at all (`reuse`): its files would come out as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.analysis.deployed import LOCK_FILE, PLAN_FILE
from compiler.analysis.graph import TransferGraph
from compiler.assemble.publish_artifacts import PublishArtifacts, sidekick_models
from compiler.assemble.render import EdgeRelease, helm_values, render_edge_files
from compiler.assemble.render.applicationset import argocd_applicationset, wave_order
from compiler.assemble.render.edge_digest import render_digest
from compiler.assemble.render.files import edge_dir
from compiler.assemble.render.operator_commands import commands_for
from compiler.assemble.render.plan_files import deployment_summary, edge_record, edge_record_path, render_plan_md
from compiler.assemble.render.serialize import to_json
from compiler.assemble.render.templating import render
from compiler.diagnostics import fail
from compiler.load.spec_set import Specs
from compiler.spec.git_url import is_fetchable_elsewhere
from compiler.spec.model import OutputKind

PLAN_MD_FILE = "PLAN.md"
APPLICATIONSET_FILE = "applicationset.yaml"
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
        wave=node.wave[1] if node.wave else None, ops_center_host=specs.config.ops_center_host,
        sidekicks=sidekick_models(specs, node.pipeline, node.version),
    )


def lock_document(specs: Specs, artifacts: Mapping[str, PublishArtifacts], registry: str) -> dict[str, Any]:
    """`edgec.lock.json`: every publish with its pinned digests (publishes recorded here are immutable). Owned
    files are not listed: drift is what changed since edgec's last commit (`compiler.compile.drift`)."""
    return {
        "version": LOCK_VERSION,
        "registry": registry,
        "publishes": {
            name: {"pipeline": specs.publishes[name].spec.pipeline, "version": specs.publishes[name].spec.version,
                   **built.lock_entry(registry)}
            for name, built in sorted(artifacts.items())
        },
    }


def render_applicationset(specs: Specs) -> bytes:
    """`applicationset.yaml`; validation (`output-needs-repo`) has made sure the deployment repository has a URL
    that Argo CD can fetch."""
    repo = specs.config.deploy_repo
    if repo is None or not is_fetchable_elsewhere(repo.url):
        raise fail("output-needs-repo", "the argocd-applicationset output needs deployRepo.url to be a git URL")
    rollouts = [[wave.name for wave in publish.spec.rollout.waves]
                for _, publish in sorted(specs.publishes.items()) if publish.spec.rollout is not None]
    document = argocd_applicationset(repo.url, repo.branch, repo.path, wave_order(rollouts))
    return render("applicationset.yaml.j2", applicationset=document)


@dataclass(frozen=True)
class OutputTree:
    files: dict[str, bytes]  # path -> content of every file rendered
    kept: frozenset[str]  # folders (`edges/<edge>`) not rendered: their deployed files are what they would be


def render_outputs(specs: Specs, graph: TransferGraph, plan: Mapping[str, Any],
                   artifacts: Mapping[str, PublishArtifacts], registry: str,
                   reuse: Mapping[str, str] | None = None) -> OutputTree:
    """Every file of the tree, except the folders of edges whose render digest equals `reuse[edge]` (the digest
    their deployed record holds; only edges whose deployed files are intact belong in it)."""
    files: dict[str, bytes] = {}
    kept: set[str] = set()
    outputs = specs.config.outputs
    entries = {e["name"]: e for e in plan.get("edges", [])}
    for edge in sorted(graph.edges):
        release = edge_release(specs, graph, edge, artifacts[graph.edges[edge].publish], registry)
        digest = render_digest(release, outputs, entries[edge])
        if reuse is not None and reuse.get(edge) == digest:
            kept.add(edge_dir(edge))
            continue
        files.update(render_edge_files(release, outputs))
        commands = commands_for(helm_values(release), registry=registry, pipeline=release.pipeline,
                                version=release.version, moved=release.replaced,
                                insecure_registry=release.insecure_registry)
        files[edge_record_path(edge)] = edge_record(entries[edge], {"commands": commands.to_json(),
                                                                    "renderDigest": digest})
    if OutputKind.ARGOCD_APPLICATIONSET in outputs:
        files[APPLICATIONSET_FILE] = render_applicationset(specs)
    summary = deployment_summary(plan)
    files[PLAN_FILE] = to_json(summary).encode()
    files[PLAN_MD_FILE] = render_plan_md(summary)
    files[LOCK_FILE] = to_json(lock_document(specs, artifacts, registry)).encode()
    return OutputTree(files, frozenset(kept))
