"""plan, graph, render and diff as a user runs them."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from compiler.cli.main import main
from tests.support.gitenv import hermetic_git  # noqa: F401 - autouse: compile commits to a local git repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "house-price"
EDGE = "houseprice-edge-inline-demonstration"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_plan_json_has_the_contract_keys_and_log_schemas(root: Path, capsys) -> None:
    code, out = run(capsys, "plan", "--root", str(root), "--format", "json")
    plan = json.loads(out)
    assert code == 0
    assert {"publishes", "edges", "pipelines", "replacements", "diagnostics", "changes"} <= set(plan)
    (edge,) = plan["edges"]
    assert (edge["name"], edge["publish"], edge["pipeline"]) == (EDGE, "new-pipeline-pub",
                                                                 "new-edge-inline-replacement")
    assert all(r["logSchema"] == [{"column": "in.tensor", "type": "float32[18]"},
                                  {"column": "out.variable", "type": "float32"}] for r in plan["replacements"])
    assert plan["changes"]["deployed"] is False and plan["changes"]["edgesAdded"] == [EDGE]


def test_plan_detailed_exitcode_follows_the_deployment_repo(root: Path, capsys) -> None:
    assert run(capsys, "plan", "--root", str(root), "--detailed-exitcode", "-q")[0] == 2  # nothing deployed yet
    assert run(capsys, "compile", "--root", str(root), "-q")[0] == 0
    code, out = run(capsys, "plan", "--root", str(root), "--detailed-exitcode", "--no-color")
    assert code == 0 and out.rstrip().endswith("No changes against the deployment repository.")
    edges = root / "specs" / "edges.yaml"
    edges.write_text(edges.read_text().replace("publish: pub", "publish: new-pub"))
    code, out = run(capsys, "plan", "--root", str(root), "--detailed-exitcode", "--format", "json")
    assert code == 0  # added to new-pub instead of pub: it still runs new-pipeline-pub, no device changes
    assert json.loads(out)["changes"]["edgesMoved"] == []
    (root / "specs" / "edges.yaml").unlink()
    code, out = run(capsys, "plan", "--root", str(root), "--detailed-exitcode", "--format", "json")
    assert code == 2 and json.loads(out)["changes"]["edgesRemoved"] == [EDGE]


def test_plan_colour_only_on_a_terminal_without_no_color(root: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert "\033[" in run(capsys, "plan", "--root", str(root))[1]
    assert "\033[" not in run(capsys, "plan", "--root", str(root), "--no-color")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(capsys, "plan", "--root", str(root))[1]


def test_plan_markdown_for_a_pull_request(root: Path, capsys) -> None:
    code, out = run(capsys, "plan", "--root", str(root), "--format", "markdown")
    assert code == 0 and out.startswith("### edgec plan")
    assert "| `new-pub` | `pub` | version-update |" in out


def test_plan_of_invalid_specs_exits_1_with_the_diagnostics(root: Path, capsys) -> None:
    edges = root / "specs" / "edges.yaml"
    edges.write_text(edges.read_text().replace("publish: pub", "publish: pubb"))
    code, out = run(capsys, "plan", "--root", str(root), "--format", "json")
    assert code == 1 and [d["code"] for d in json.loads(out)["diagnostics"]] == ["unknown-reference"]


@pytest.mark.parametrize(("fmt", "start"), [("mermaid", "flowchart LR"), ("dot", "digraph")])
def test_graph_formats(root: Path, capsys, fmt: str, start: str) -> None:
    code, out = run(capsys, "graph", "--root", str(root), "--format", fmt)
    assert code == 0 and out.startswith(start) and "pipeline-transfer" in out and EDGE in out


def test_render_writes_a_deterministic_tree_and_drops_removed_edges(root: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "tree"
    assert run(capsys, "render", "--root", str(root), "--out", str(out_dir), "-q")[0] == 0
    first = {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    assert f"edges/{EDGE}/values.yaml" in first and "edgec.lock.json" in first
    assert run(capsys, "render", "--root", str(root), "--out", str(out_dir), "-q")[0] == 0
    second = {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    assert first == second
    (root / "specs" / "edges.yaml").unlink()
    assert run(capsys, "render", "--root", str(root), "--out", str(out_dir), "-q")[0] == 0
    assert not (out_dir / "edges" / EDGE).exists()


def test_render_of_invalid_specs_writes_nothing(root: Path, tmp_path: Path, capsys) -> None:
    (root / "specs" / "edges.yaml").write_text("apiVersion: edgec.dev/v1\nkind: EdgeLocation\nspec: [\n")
    out_dir = tmp_path / "tree"
    assert run(capsys, "render", "--root", str(root), "--out", str(out_dir))[0] == 1
    assert not out_dir.exists()


def test_outputs_select_the_manifests(root: Path, tmp_path: Path, capsys) -> None:
    config = root / "edgec.yaml"
    config.write_text(config.read_text().replace("outputs: [helm-values, argocd, flux]", "outputs: [flux]"))
    out_dir = tmp_path / "tree"
    assert run(capsys, "render", "--root", str(root), "--out", str(out_dir), "-q")[0] == 0
    assert sorted(p.name for p in (out_dir / "edges" / EDGE).iterdir()) == ["helmrelease.yaml", "plan.json"]


def test_diff_between_publishes_and_versions(root: Path, capsys) -> None:
    assert run(capsys, "diff", "pub", "new-pipeline-pub", "--root", str(root))[0] == 0
    models = root / "specs" / "models.yaml"
    text = models.read_text()
    cut = text.index("name: gbr-house-price-estimator")
    models.write_text(text[:cut] + text[cut:].replace("type: float32\n      description: estimated price",
                                                       "type: float64\n      description: estimated price", 1))
    code, out = run(capsys, "diff", "new-pub", "new-edge-inline-replacement:v1", "--root", str(root),
                    "--format", "json")
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["path"], f["old"], f["new"]) for f in findings] == [
        ("TYPE_WIDENED", "out.variable", "float32", "float64")]
    assert code == 1  # an output widening is an error for clients reading outputs
    assert run(capsys, "diff", "pub", "nope", "--root", str(root))[0] == 2


def test_plan_out_writes_the_json_plan_and_refuses_a_bad_path(root: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "plan.json"
    assert run(capsys, "plan", "--root", str(root), "--out", str(target), "-q")[0] == 0
    assert json.loads(target.read_text())["edges"][0]["name"] == EDGE
    code = main(["plan", "--root", str(root), "--out", str(tmp_path / "missing" / "plan.json")])
    assert code == 3 and "error[io-error]" in capsys.readouterr().err


def test_plan_offline_never_touches_the_deployment_repo(root: Path, tmp_path: Path, capsys) -> None:
    config = root / "edgec.yaml"
    config.write_text(config.read_text() + f"  deployRepo: {{url: {tmp_path / 'unreachable.git'}}}\n")
    code, out = run(capsys, "plan", "--root", str(root), "--offline", "--format", "json")
    assert code == 0 and "changes" not in json.loads(out)
    assert not (root / ".edgec").exists()
    assert run(capsys, "plan", "--root", str(root), "-q")[0] == 3  # online, the remote cannot be read: git-failed


def test_render_into_the_spec_root_deletes_nothing(root: Path, capsys, monkeypatch) -> None:
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    monkeypatch.chdir(root)
    assert main(["render", "--out", "."]) == 2
    err = capsys.readouterr().err
    assert "error[out-not-owned]" in err and "is the spec root" in err
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
