"""`edgec compile` and `edgec render`: validate -> plan -> push -> render -> commit, stopping at the first failure.

Nothing after a failing stage runs: invalid specs build nothing, a failed push commits nothing, and a render that
fails leaves the deployment repository untouched (the git adapter writes nothing until the tree is complete).
The registry and the deployment repository are handed in as `Adapters` (compiler.compile.compose), so tests use
fakes or real services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler import __version__
from compiler.adapters.deploy import DeployState, Rendered, SourceHistory, SyncResult, commit_trailers
from compiler.adapters.deploy.trailers import wave_trailers
from compiler.adapters.oci.store import ArtifactStore, PushResult
from compiler.analysis.analyze import Analysis, analyze
from compiler.analysis.deployed import Changes, Deployed, InvalidRecord, compare, immutable_violations
from compiler.analysis.plan import Plan
from compiler.analysis.plan.rollouts import wave_moves
from compiler.assemble.publish_artifacts import PublishArtifacts, build_artifacts
from compiler.assemble.render.output_tree import LOCK_FILE, PLAN_FILE, lock_document, render_outputs
from compiler.assemble.render.plan_files import EDGE_RECORD_NAME
from compiler.compile.compose import Adapters
from compiler.compile.drift import Drift, file_drift, restored_lines, store_label, tag_drift
from compiler.compile.publish import publish
from compiler.diagnostics import Diagnostic, EdgecError, fail, has_errors, sorted_unique
from compiler.load.spec_set import Specs

Stage = Callable[[str], None]
#: Commit message bounds: lines per list (replacements, moved edges), edge names per replacement.
MESSAGE_LINES = 50
MESSAGE_EDGES = 10


@dataclass
class Build:
    """What a spec root compiles to, before anything leaves the machine."""

    analysis: Analysis
    artifacts: dict[str, PublishArtifacts] = field(default_factory=dict)
    plan: Plan | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    kept: frozenset[str] = frozenset()  # folders of edges not rendered (unchanged against the deployment)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def lock(self) -> dict[str, Any]:
        return lock_document(self.analysis.specs, self.artifacts, self.analysis.registry)


@dataclass
class CompileResult:
    build: Build
    changes: Changes | None = None
    pushed: list[PushResult] = field(default_factory=list)
    sync: SyncResult | None = None
    dry_run: bool = False
    drift: list[Drift] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.build.diagnostics


def build(root: Path, recorded: Mapping[str, Any] | None = None) -> Build:
    """Analyse, build every artifact in memory and render the tree (pure apart from reading spec files);
    `recorded`: the deployment lock's publishes, reused where their inputs are unchanged (never rebuilt)."""
    return assemble(analyze(root), recorded)


def assemble(analysis: Analysis, recorded: Mapping[str, Any] | None = None,
             reuse: Mapping[str, str] | None = None) -> Build:
    """`reuse`: edge -> the render digest of its intact deployed files (`reusable`); those edges are not
    rendered (`Build.kept`)."""
    result = Build(analysis, diagnostics=list(analysis.diagnostics))
    if not result.ok:
        return result
    artifacts, problems = build_artifacts(analysis.specs, recorded)
    result.diagnostics = sorted_unique([*result.diagnostics, *problems])
    if not result.ok:
        return result
    registry = analysis.registry
    result.artifacts = artifacts
    result.plan = analysis.plan(pipeline_urls={name: built.pinned_pipeline_url(registry)
                                               for name, built in artifacts.items()})
    tree = render_outputs(analysis.specs, analysis.graph, result.plan.to_json(), artifacts, registry, reuse)
    result.files, result.kept = tree.files, tree.kept
    return result


def reusable(deployed: Deployed, drift: list[Drift]) -> dict[str, str]:
    """Edge -> the render digest its deployed record holds, for the edges none of whose files drifted."""
    touched = {d.subject.split("/")[1] for d in drift if d.is_file and d.subject.startswith("edges/")}
    return {edge: record["renderDigest"] for edge, record in deployed.edges.items()
            if isinstance(record.get("renderDigest"), str) and edge not in touched}


def deployed_state(state: DeployState) -> Deployed:
    """The deployment's record: the lock, plan.json and every edge's record (read in one pass); one that does not
    parse or validate aborts with `lock-invalid`."""
    try:
        return Deployed.from_files(state.read(LOCK_FILE), state.read(PLAN_FILE), state.head, edge_records(state))
    except InvalidRecord as exc:
        change = state.last_change(exc.file)
        edgec = state.last_edgec_commit()
        by = f" (last changed in {change.describe()})" if change is not None else ""
        restore = (f"`git checkout {edgec.sha[:12]} -- {exc.file}` restores the one edgec wrote"
                   if edgec is not None and (change is None or change.sha != edgec.sha) else
                   f"restore {exc.file} from an earlier commit")
        raise fail("lock-invalid", f"{exc.file} in the deployment repository {exc.reason}{by}",
                   hint=f"edgec refuses to plan or compile against it: revert that commit in the deployment "
                        f"repository, or {restore}, commit and push, then run edgec again") from None


def edge_records(state: DeployState) -> dict[str, bytes]:
    """Edge name -> the bytes of its `edges/<edge>/plan.json` at the state's head."""
    names = {path: path.split("/")[1] for path in state.owned_blobs()
             if path.count("/") == 2 and path.endswith("/" + EDGE_RECORD_NAME)}
    return {names[path]: data for path, data in state.read_many(sorted(names)).items()}


def detect_drift(state: DeployState, deployed: Deployed, store: ArtifactStore | None,
                 analysis: Analysis, files: list[Drift] | None = None) -> list[Drift]:
    """File drift in the deployment repository (`files`, when already known), and tag drift in `store` (None:
    files only)."""
    found = list(file_drift(state) if files is None else files)
    if store is not None:
        found += tag_drift(store, deployed, analysis.registry, analysis.specs)
    return found


def moved_tag_violations(drift: list[Drift], specs: Specs) -> list[Diagnostic]:
    """A moved tag of a publish the specs still have: compile would have to push over it, so it refuses."""
    return [Diagnostic.at(d.location, "immutable-changed",
                          f"publish '{d.publish}' is recorded in the lock, but tag {d.subject} in {d.where} "
                          f"points to {d.actual}, not the recorded {d.expected}; edgec never pushes over it",
                          hint=d.diagnostic().hint)
            for d in drift if d.kind == "tag-moved" and d.publish in specs.publishes]


def changes_against(analysis: Analysis, deployed: Deployed) -> Changes:
    """What devices would see change: edges added, removed or moved, publishes added or removed."""
    edges = {name: node.publish for name, node in analysis.graph.edges.items()}
    return compare(analysis.specs.publishes, edges, deployed)


def compile_specs(root: Path, *, adapters: Adapters, source_commit: str | None, dry_run: bool = False,
                  stage: Stage = lambda _: None, history: SourceHistory | None = None) -> CompileResult:
    """Run every stage; problems in the specs come back as diagnostics, environment failures raise EdgecError.
    The adapters are opened only when the specs are valid (the store is read for tag drift even in a dry run)."""
    analysis = analyze(root)
    stage(f"validated {len(analysis.files)} spec files")
    if not analysis.ok:
        return CompileResult(assemble(analysis), dry_run=dry_run)
    repository = adapters.deploy(analysis.specs)
    state = repository.current()
    deployed = deployed_state(state)
    drifted = file_drift(state)
    result = CompileResult(assemble(analysis, deployed.publishes, reusable(deployed, drifted)), dry_run=dry_run)
    built = result.build
    if not built.ok:
        return result
    check_source_order(state, source_commit, history)
    new_lock = built.lock
    problems = immutable_violations(built.analysis.specs, new_lock["publishes"], deployed)
    result.changes = changes_against(built.analysis, deployed)
    if problems:
        built.diagnostics = sorted_unique([*built.diagnostics, *problems])
        return result
    target = adapters.store(built.analysis.specs)
    result.drift = detect_drift(state, deployed, target, built.analysis, drifted)
    problems = moved_tag_violations(result.drift, built.analysis.specs)
    built.diagnostics = sorted_unique([*built.diagnostics, *problems, *(d.diagnostic() for d in result.drift)])
    if problems or dry_run:
        return result

    result.pushed.extend(publish(target, built.analysis.specs, built.artifacts, store_label(built.analysis.specs)))
    uploaded = sum(p.uploaded for p in result.pushed)
    stage(f"pushed {len(result.pushed)} artifacts to {target!r} ({uploaded} blobs uploaded)")

    first_head = state.head

    def render_on(state: DeployState) -> Rendered:
        """Called again on a newer head when the push races another compile: re-check before committing (and
        render again what the new head does not hold)."""
        same = state.head == first_head
        current = deployed if same else deployed_state(state)
        check_source_order(state, source_commit, history)
        late = immutable_violations(built.analysis.specs, new_lock["publishes"], current)
        if late:
            raise EdgecError(late[0])
        changes = changes_against(built.analysis, current)
        found = drifted if same else file_drift(state)
        files, kept = built.files, built.kept
        if not same:
            assert built.plan is not None
            tree = render_outputs(built.analysis.specs, built.analysis.graph, built.plan.to_json(), built.artifacts,
                                  built.analysis.registry, reusable(current, found))
            files, kept = tree.files, tree.kept
        message = commit_message(built, changes, source_commit, restored_lines(found), deployed=current)
        return Rendered(files, message, kept)

    result.sync = repository.sync(render_on)
    return result


def check_source_order(state: DeployState, source_commit: str | None, history: SourceHistory | None) -> None:
    """Refuse (`stale-compile`) to replace a deployment made from a descendant of this compile's spec commit, or
    from a commit unrelated to it: of concurrent CI compiles the newest spec commit wins, whatever lands last.
    Without a source commit (the spec root is not a git repository) there is nothing to order by."""
    last = state.last_edgec_commit() if source_commit is not None and history is not None else None
    deployed = last.trailers.get("Source-Commit") if last is not None else None
    if source_commit is None or history is None or last is None or not deployed:
        return
    theirs, ours = deployed.removesuffix("-dirty"), source_commit.removesuffix("-dirty")
    relation = history.relation(theirs, ours)
    if relation in ("same", "ancestor"):
        return
    where = f"the deployment repository's commit {last.sha[:12]} was compiled from spec commit {theirs[:12]}"
    revert = "a deliberate roll-back is a revert commit in the spec repository, compiled like any change"
    if relation == "descendant":
        raise fail("stale-compile", f"{where}, a descendant of this compile's {ours[:12]}: committing would roll "
                   "the deployment back", hint=f"a newer compile already landed, nothing to do; {revert}")
    if relation == "unrelated":
        raise fail("stale-compile", f"{where}, which is not an ancestor of this compile's {ours[:12]} (the spec "
                   "histories diverged)", hint=f"merge or rebase onto {theirs[:12]} in the spec repository and "
                   f"compile that; {revert}")
    raise fail("stale-compile", f"{where}, which is not in this spec repository's history, so edgec cannot tell "
               f"whether {ours[:12]} is newer", hint="fetch the full history of the spec repository (a shallow CI "
               f"checkout: fetch-depth 0) and compile again; {revert}")


def commit_message(result: Build, changes: Changes, source_commit: str | None,
                   restored: list[str] | None = None, *, deployed: Deployed | None = None) -> str:
    """One summary line, the plan's replacements, the roll-out waves that move (or move back), the files put back
    after drift, then the trailers as the last paragraph (a wave gets one each: `edgec promote` measures soak
    times from them). Replacements and moved edges are listed up to `MESSAGE_LINES` each, a replacement's edges
    by name up to `MESSAGE_EDGES`, so that the message, like the root files, does not grow with the fleet."""
    assert result.plan is not None
    plan = result.plan
    waves_moved, waves_back = wave_moves(plan.rollouts, deployed.plan if deployed else {})
    moved = len(changes.edges_moved)
    summary = (f"edgec: {moved} edge{'s' * (moved != 1)} moved, {len(changes.publishes_added)} "
               f"publish{'es' * (len(changes.publishes_added) != 1)} added")
    if changes.edges_added:
        summary += f", {len(changes.edges_added)} edge{'s' * (len(changes.edges_added) != 1)} added"
    if changes.edges_removed:
        summary += f", {len(changes.edges_removed)} edge{'s' * (len(changes.edges_removed) != 1)} removed"
    if restored:
        summary += f", {len(restored)} file{'s' * (len(restored) != 1)} restored"
    lines = [summary, ""]
    replacements = [rp.replacement for rp in plan.replacements]
    for r in replacements[:MESSAGE_LINES]:
        names = r.edges.names()
        edges = ", ".join(names) if len(names) <= MESSAGE_EDGES else f"{len(names)} edges"
        lines.append(f"- {r.publish} replaces {r.replaces} ({r.kind}: {r.source.pipeline} "
                     f"{r.source.version} -> {r.target.pipeline} {r.target.version}): {edges or 'no edge'}")
    if len(replacements) > MESSAGE_LINES:
        lines.append(f"- ... and {len(replacements) - MESSAGE_LINES} more replacements (PLAN.md lists them all)")
    for edge, old, new in changes.edges_moved[:MESSAGE_LINES]:
        lines.append(f"- edge {edge}: {old} -> {new}")
    if len(changes.edges_moved) > MESSAGE_LINES:
        lines.append(f"- ... and {len(changes.edges_moved) - MESSAGE_LINES} more edges moved "
                     "(their edges/<edge>/plan.json say where)")
    lines += [f"- wave {wave} of {publish} moves" for publish, wave in waves_moved]
    lines += [f"- wave {wave} of {publish} moves back" for publish, wave in waves_back]
    if restored:
        lines += ["", "Changed outside edgec and put back:", *restored[:MESSAGE_LINES]]
        if len(restored) > MESSAGE_LINES:
            lines.append(f"- ... and {len(restored) - MESSAGE_LINES} more files")
    body = "\n".join(_one_line(line) for line in lines).strip()
    trailers = [commit_trailers(source_commit, __version__).strip(), *wave_trailers(waves_moved, waves_back)]
    return f"{body}\n\n" + "\n".join(trailers) + "\n"


def _one_line(text: str) -> str:
    """Names are validated, but keep every message line a single line whatever reaches it."""
    return text.replace("\r", " ").replace("\n", " ") if "\n" in text or "\r" in text else text
