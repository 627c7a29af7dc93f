"""Composition: the config and the environment handed in choose the adapters; the CLI takes fakes instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.adapters.deploy import GitDeployRepository
from compiler.adapters.oci.layout import LayoutStore
from compiler.adapters.oci.registry import RegistryStore
from compiler.cli.main import main
from compiler.compile.compose import Adapters, artifact_store, deploy_repository
from compiler.load.load_root import load_specs
from compiler.load.spec_set import Specs
from tests.adapters.deploy.fakes import FakeDeployRepository
from tests.compile.conftest import configure


def test_no_registry_means_the_local_layout(spec_root: Path) -> None:
    store = artifact_store(load_specs(spec_root).specs, {})
    assert isinstance(store, LayoutStore) and store.path == spec_root / ".edgec" / "oci"


def test_credentials_come_from_the_environment_handed_in(spec_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(spec_root, registry="127.0.0.1:5999/edge")
    monkeypatch.setenv("EDGEC_REGISTRY_USERNAME", "process-env")
    monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", "process-env-secret")
    specs = load_specs(spec_root).specs
    store = artifact_store(specs, {"EDGEC_REGISTRY_USERNAME": "alice", "EDGEC_REGISTRY_PASSWORD": "s3cret"})
    assert isinstance(store, RegistryStore) and "127.0.0.1:5999" in repr(store)
    assert store._credentials is not None and store._credentials.username == "alice"
    assert artifact_store(specs, {})._credentials is None


def test_the_deployment_repository_is_real_git(spec_root: Path) -> None:
    assert isinstance(deploy_repository(load_specs(spec_root).specs), GitDeployRepository)


def test_the_cli_compiles_through_adapters_it_is_handed(spec_root: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    deploy = FakeDeployRepository()
    opened: list[Path] = []

    def store(specs: Specs) -> LayoutStore:
        opened.append(specs.root)
        return LayoutStore(tmp_path / "oci")

    code = main(["compile", "--root", str(spec_root), "--format", "json"],
                adapters=Adapters(store=store, deploy=lambda _specs: deploy))
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and opened == [spec_root]
    assert out["commit"]["sha"] == deploy.head and "plan.json" in deploy.tree
    layout = LayoutStore(tmp_path / "oci")
    assert out["pushed"] and all(layout.resolve(*p["reference"].rsplit(":", 1)) == p["digest"] for p in out["pushed"])
    assert not (spec_root / ".edgec" / "oci").exists()  # the real layout was never opened
