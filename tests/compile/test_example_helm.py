"""helm lint and helm template with every rendered values.yaml of the example, on the chart compile pushes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.compile.stages import build
from tests.assemble.render.helpers import Helm

pytestmark = pytest.mark.integration
SECRET = "example-secret-never-rendered"



def test_every_edge_of_the_example_templates_to_its_engine(spec_root: Path, tmp_path: Path, helm: Helm,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", SECRET)
    monkeypatch.setenv("EDGEC_REGISTRY_USERNAME", "robot-never-rendered")
    built = build(spec_root)
    assert built.ok and built.plan is not None
    plan = built.plan.to_json()
    yaml = YAML(typ="safe")
    for edge in plan["edges"]:
        chart = built.artifacts[edge["publish"]].chart
        chart_file = tmp_path / f"{edge['name']}.tgz"
        chart_file.write_bytes(chart.layers[0].data)  # the exact chart bytes a push uploads
        values_file = tmp_path / f"{edge['name']}-values.yaml"
        values_file.write_bytes(built.files[f"edges/{edge['name']}/values.yaml"])
        values = yaml.load(values_file.read_bytes())
        helm.run("lint", "--strict", str(chart_file), "-f", str(values_file))
        out = helm.run("template", "edge-engine", str(chart_file), "--namespace", edge["name"],
                       "-f", str(values_file)).stdout
        assert SECRET not in out and "robot-never-rendered" not in out
        docs = [d for d in yaml.load_all(out) if d]
        (deployment,) = [d for d in docs if d["kind"] == "Deployment"]
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["image"] == "ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0"
        assert container["resources"]["limits"] == {"cpu": "4", "memory": "3Gi"}
        env = {e["name"]: e for e in container["env"]}
        assert env["PIPELINE_URL"]["value"] == values["engine"]["pipelineUrl"]
        assert env["PIPELINE_URL"]["value"].startswith(f"localhost/edgec/pipelines/{edge['pipeline']}@sha256:")
        assert env["PIPELINE_URL"]["value"].endswith(built.artifacts[edge["publish"]].pipeline.digest)
        assert env["EDGE_NAME"]["value"] == edge["name"]
        for key in ("OCI_USERNAME", "OCI_PASSWORD"):
            assert "value" not in env[key] and "secretKeyRef" in env[key]["valueFrom"]
    assert SECRET not in json.dumps(plan) and not any(SECRET.encode() in data for data in built.files.values())
