"""The push stage: new artifacts are pushed; recorded ones (reused from the lock) are only checked in the store.

A recorded artifact is never rebuilt from today's templates. The store must hold it by digest: when it does, its
tag is checked (and written again when only the tag is gone). When it does not, the artifact is rebuilt once and
pushed only if that gives the recorded digest (an unchanged edgec restoring what was deleted); otherwise the
compile stops with `recorded-artifact-missing` before anything is committed.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.adapters.oci.store import ArtifactStore, PushResult
from compiler.assemble.oci_objects import Artifact
from compiler.assemble.publish_artifacts import PublishArtifacts, Recorded, rebuild
from compiler.diagnostics import fail
from compiler.load.spec_set import Specs


def unique_artifacts(artifacts: Mapping[str, PublishArtifacts]) -> list[Artifact | Recorded]:
    """Each artifact once (publishes of one version share theirs), in a stable order."""
    seen: dict[str, Artifact | Recorded] = {}
    for name in sorted(artifacts):
        for artifact in (artifacts[name].pipeline, artifacts[name].chart):
            seen.setdefault(artifact.reference, artifact)
    return [seen[ref] for ref in sorted(seen)]


def publish(store: ArtifactStore, specs: Specs, artifacts: Mapping[str, PublishArtifacts],
            where: str) -> list[PushResult]:
    """Push what was built, check what was reused; results in the order of `unique_artifacts`. `where` names
    the store in messages."""
    items = unique_artifacts(artifacts)
    built = [item for item in items if isinstance(item, Artifact)]
    pushed = {result.digest: result for result in store.push_all(built)} if built else {}
    owners = {getattr(artifacts[name], kind).reference: name for name in sorted(artifacts, reverse=True)
              for kind in ("pipeline", "chart")}
    results: list[PushResult] = []
    for item in items:
        if isinstance(item, Artifact):
            results.append(pushed[item.digest])
            continue
        found = store.ensure_tag(item.repository, item.tag, item.digest)
        results.append(found if found is not None else _restore(store, specs, owners[item.reference], item, where))
    return results


def _restore(store: ArtifactStore, specs: Specs, publish_name: str, item: Recorded, where: str) -> PushResult:
    pipeline, chart = rebuild(specs, publish_name)
    artifact = pipeline if item.repository == pipeline.repository else chart
    if artifact.digest == item.digest:
        return store.push(artifact)
    raise fail(
        "recorded-artifact-missing",
        f"publish '{publish_name}' is recorded in the deployment lock with {item.reference}@{item.digest}, but "
        f"{where} does not hold that manifest, and this edgec would build other content ({artifact.digest}); "
        "a recorded publish is never rebuilt with other bytes",
        hint=f"copy the recorded artifact back into {where} (`oras cp <source>/{item.repository}@{item.digest} "
             f"<target>/{item.reference}`), or publish a new version that replaces '{publish_name}'",
    )
