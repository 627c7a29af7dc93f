"""Rendered files under a roll-out: an edge that has not moved yet renders byte for byte as it did before the
replacing publish existed; a moved edge's GitOps objects carry `edgec.dev/wave` next to its labels."""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

from compiler.cli.main import main

FLEET = Path(__file__).resolve().parents[3] / "examples" / "fleet"


def _render(root: Path, out: Path) -> dict[str, bytes]:
    assert main(["render", "--root", str(root), "--out", str(out), "-q"]) == 0
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_waiting_edges_render_unchanged_and_moved_ones_carry_their_wave(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    shutil.copytree(FLEET, staged, ignore=shutil.ignore_patterns(".edgec"))
    before = tmp_path / "before"
    shutil.copytree(FLEET, before, ignore=shutil.ignore_patterns(".edgec"))
    publishes = before / "specs" / "publishes.yaml"
    publishes.write_text(publishes.read_text().split("\n---\n")[0] + "\n")  # demand-v2 not written yet
    (before / "specs" / "assays.yaml").unlink()

    old, new = _render(before, tmp_path / "out-before"), _render(staged, tmp_path / "out-staged")
    waiting = ["store-north-02", "store-north-03", "store-south-02", "store-south-03", "store-west-01",
               "store-west-02", "store-west-03", "store-west-04"]
    for edge in waiting:
        files = [name for name in old if name.startswith(f"edges/{edge}/")]
        assert len(files) == 4 and all(new[name] == old[name] for name in files), edge
    yaml = YAML(typ="safe")
    for edge in ("store-north-01", "store-south-01"):
        assert new[f"edges/{edge}/values.yaml"] != old[f"edges/{edge}/values.yaml"]
        application = yaml.load(new[f"edges/{edge}/application.yaml"])
        labels = application["metadata"]["labels"]
        assert labels["edgec.dev/wave"] == "canary" and labels["ring"] == "canary"
        objects = list(yaml.load_all(new[f"edges/{edge}/helmrelease.yaml"]))
        assert objects and all(o["metadata"]["labels"]["edgec.dev/wave"] == "canary" for o in objects)
    assert all(b"edgec.dev/wave" not in old[name] for name in old)
