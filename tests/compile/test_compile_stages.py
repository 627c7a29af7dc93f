"""The compile stages with fakes: a failing stage stops everything after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.adapters.oci.layout import LayoutStore
from compiler.compile.compose import Adapters
from compiler.compile.stages import compile_specs
from compiler.diagnostics import EdgecError, fail
from tests.adapters.deploy.fakes import FakeDeployRepository
from tests.compile.conftest import edit


class RecordingStore:
    def __init__(self, inner: LayoutStore, *, fail_after: int | None = None) -> None:
        self.inner, self.pushed, self.fail_after = inner, [], fail_after

    def push(self, artifact):
        if self.fail_after is not None and len(self.pushed) >= self.fail_after:
            raise fail("registry-unreachable", "registry went away")
        self.pushed.append(artifact.reference)
        return self.inner.push(artifact)

    def resolve(self, repository: str, tag: str) -> str | None:
        return self.inner.resolve(repository, tag)

    def push_all(self, artifacts):
        return [self.push(artifact) for artifact in artifacts]


def run(root: Path, store: RecordingStore | None, deploy: FakeDeployRepository, **kwargs):
    def make_store(_specs):
        if store is None:
            raise AssertionError("the store must not be opened")
        return store

    return compile_specs(root, adapters=Adapters(store=make_store, deploy=lambda _s: deploy), source_commit="abc",
                         **kwargs)


def test_invalid_specs_push_nothing_and_commit_nothing(spec_root: Path) -> None:
    edit(spec_root / "specs" / "edges.yaml", "publish: pub", "publish: pubb")
    deploy = FakeDeployRepository()
    result = run(spec_root, None, deploy)
    assert [d.code for d in result.diagnostics] == ["unknown-reference"]
    assert deploy.commits == [] and result.pushed == []


def test_failed_push_commits_nothing(spec_root: Path, tmp_path: Path) -> None:
    store = RecordingStore(LayoutStore(tmp_path / "oci"), fail_after=2)
    deploy = FakeDeployRepository()
    with pytest.raises(EdgecError) as exc:
        run(spec_root, store, deploy)
    assert exc.value.diagnostic.code == "registry-unreachable" and int(exc.value.exit_code) == 3
    assert len(store.pushed) == 2 and deploy.commits == []


def test_dry_run_stops_before_push_and_commit(spec_root: Path, tmp_path: Path) -> None:
    deploy = FakeDeployRepository()
    store = RecordingStore(LayoutStore(tmp_path / "oci"))  # read for tag drift, never pushed to
    result = run(spec_root, store, deploy, dry_run=True)
    assert result.build.ok and result.changes is not None and result.changes.publishes_added
    assert deploy.commits == [] and result.sync is None and store.pushed == []


def test_a_raced_push_is_rendered_again_on_the_new_head(spec_root: Path, tmp_path: Path) -> None:
    deploy = FakeDeployRepository(races=1)
    result = run(spec_root, RecordingStore(LayoutStore(tmp_path / "oci")), deploy)
    assert result.sync is not None and result.sync.attempts == 2
    assert len(set(deploy.heads_seen)) == 2  # build ran on the first head and again on the competitor's
    assert b'"publish": "new-pipeline-pub"' in deploy.tree["edges/houseprice-edge-inline-demonstration/plan.json"]


def test_commit_message_summarises_and_carries_trailers(spec_root: Path, tmp_path: Path) -> None:
    deploy = FakeDeployRepository()
    run(spec_root, RecordingStore(LayoutStore(tmp_path / "oci")), deploy)
    message = deploy.commits[-1].message
    lines = message.splitlines()
    assert lines[0] == "edgec: 0 edges moved, 3 publishes added, 1 edge added"
    assert ("- new-pub replaces pub (version-update: edge-inline-replacement-demon v1 -> "
            "edge-inline-replacement-demon v2): houseprice-edge-inline-demonstration") in lines
    assert lines[-2:] == ["Source-Commit: abc", "Edgec-Version: 0.1.0"]


def test_same_specs_give_byte_identical_trees(spec_root: Path, tmp_path: Path) -> None:
    first, second = FakeDeployRepository(), FakeDeployRepository()
    run(spec_root, RecordingStore(LayoutStore(tmp_path / "a")), first)
    run(spec_root, RecordingStore(LayoutStore(tmp_path / "b")), second)
    assert first.tree == second.tree
    assert sorted(first.tree) == [
        "PLAN.md", "edgec.lock.json",
        "edges/houseprice-edge-inline-demonstration/application.yaml",
        "edges/houseprice-edge-inline-demonstration/helmrelease.yaml",
        "edges/houseprice-edge-inline-demonstration/plan.json",
        "edges/houseprice-edge-inline-demonstration/values.yaml", "plan.json"]


def test_two_publishes_of_one_version_with_other_configs_are_refused(spec_root: Path) -> None:
    extra = spec_root / "specs" / "extra.yaml"
    extra.write_text("apiVersion: edgec.dev/v1\nkind: Publish\nmetadata: {name: pub-bigger}\nspec:\n"
                     "  pipeline: edge-inline-replacement-demon\n  version: v1\n"
                     "  deploymentConfig: {engine: {cpus: 8, memory: 3Gi}}\n")
    result = run(spec_root, None, FakeDeployRepository())
    assert [(d.code, d.file, d.line) for d in result.diagnostics if d.is_error] == [
        ("immutable-changed", "specs/extra.yaml", 7)]


def test_operator_commands_carry_the_rendered_bundle(spec_root: Path) -> None:
    import json
    import shlex

    from ruamel.yaml import YAML

    from compiler.compile.stages import build

    result = build(spec_root)
    assert result.plan is not None
    edge = json.loads(result.files["edges/houseprice-edge-inline-demonstration/plan.json"])
    values = YAML(typ="safe").load(result.files[f"edges/{edge['name']}/values.yaml"])
    assert shlex.quote(f'edgeBundle="{values["edgeBundle"]}"') in edge["commands"]["helm"]
    assert f"-e EDGE_BUNDLE={values['edgeBundle']}" in edge["commands"]["docker"]
    assert edge["commands"]["mode"] == "upgrade"  # the edge moved: a new revision of the same release


def test_source_annotation_comes_from_the_config(spec_root: Path) -> None:
    from compiler.compile.stages import build

    config = spec_root / "edgec.yaml"
    config.write_text(config.read_text() + "  source: https://git.example.com/fleet/specs\n")
    built = build(spec_root)
    for artifacts in built.artifacts.values():
        for artifact in (artifacts.pipeline, artifacts.chart):
            assert artifact.annotations["org.opencontainers.image.source"] == "https://git.example.com/fleet/specs"
