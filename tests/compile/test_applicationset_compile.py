"""`outputs: [argocd-applicationset]` end to end on a real bare remote: the ApplicationSet and one parameter file
per edge are committed, its git generator names the deployment repository, and turning the output off again
removes exactly those files."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from compiler.cli.main import main
from tests.assemble.render.helpers import load_yaml_all
from tests.compile.conftest import commit_all

URL = "https://git.example.com/fleet/deploy.git"


@pytest.fixture(autouse=True)
def url_served_by_the_remote(tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The URL Argo CD reads, served here by the bare remote: git's own url rewriting, as a mirror setup does."""
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{remote}"]\n\tinsteadOf = {URL}\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))


def _outputs(root: Path, outputs: str) -> None:
    config = root / "edgec.yaml"
    text = config.read_text().replace("outputs: [helm-values, argocd, flux]", f"outputs: [{outputs}]")
    config.write_text(text.rstrip("\n") + f"\n  deployRepo: {{url: '{URL}', branch: main}}\n")


def _compile(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compile", "--root", str(root), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out["diagnostics"]


def test_the_applicationset_is_committed_and_removed_with_its_output(
        fleet_root: Path, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _outputs(fleet_root, "helm-values, argocd-applicationset")
    commit_all(fleet_root, "fleet as an ApplicationSet")
    _compile(fleet_root, capsys)
    head = git.Repo(remote).head.commit
    paths = {item.path for item in head.tree.traverse() if item.type == "blob"}
    edges = sorted({Path(p).parts[1] for p in paths if p.startswith("edges/")})
    assert {f"edges/{e}/argocd-params.yaml" for e in edges} <= paths
    assert not any(p.endswith("application.yaml") for p in paths)
    appset = head.tree["applicationset.yaml"].data_stream.read().decode()
    assert f"repoURL: {URL}" in appset and 'path: "edges/*/argocd-params.yaml"' in appset
    assert "type: RollingSync" in appset  # the fleet example has a roll-out
    (params,) = load_yaml_all(head.tree[f"edges/{edges[0]}/argocd-params.yaml"].data_stream.read())
    assert params["edge"] == edges[0] and params["values"]["edgeName"] == edges[0]

    text = (fleet_root / "edgec.yaml").read_text()
    (fleet_root / "edgec.yaml").write_text(text.replace("argocd-applicationset", "argocd"))
    commit_all(fleet_root, "back to one Application per edge")
    _compile(fleet_root, capsys)
    paths = {item.path for item in git.Repo(remote).head.commit.tree.traverse() if item.type == "blob"}
    assert "applicationset.yaml" not in paths
    assert not any(p.endswith("argocd-params.yaml") for p in paths)
    assert {f"edges/{e}/application.yaml" for e in edges} <= paths
