"""render_edge_files and render_plan_md: layout, determinism, hostile strings, secret hygiene."""

from __future__ import annotations

import base64
import json

import pytest

from compiler.assemble.render import render_edge_files, render_plan_md
from compiler.assemble.render.plan_files import DIAGNOSTICS_KEPT, SUMMARY_FORMAT, deployment_summary
from compiler.assemble.render.values import helm_values
from compiler.spec.model import OutputKind

from .helpers import CHART_DIGEST, load_yaml_all, make_release

HEADER = b"# Rendered by edgec. Do not edit.\n"
ALL = list(OutputKind)


def test_paths_per_output_kind() -> None:
    release = make_release()
    assert sorted(render_edge_files(release, ALL)) == [
        "edges/store-042/application.yaml",
        "edges/store-042/argocd-params.yaml",
        "edges/store-042/helmrelease.yaml",
        "edges/store-042/values.yaml",
    ]
    assert sorted(render_edge_files(release, [OutputKind.FLUX])) == ["edges/store-042/helmrelease.yaml"]
    assert render_edge_files(release, []) == {}


def test_files_are_headed_deterministic_and_plain() -> None:
    first = render_edge_files(make_release(), ALL)
    second = render_edge_files(make_release(), ALL)
    assert first == second
    for data in first.values():
        assert data.startswith(HEADER)
        assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")


def test_values_file_is_the_helm_values() -> None:
    release = make_release(overrides={"service": {"type": "NodePort"}})
    (values,) = load_yaml_all(render_edge_files(release, ALL)["edges/store-042/values.yaml"])
    assert values == helm_values(release)


def test_argocd_application() -> None:
    release = make_release()
    (app,) = load_yaml_all(render_edge_files(release, ALL)["edges/store-042/application.yaml"])
    assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
    source = app["spec"]["source"]
    assert source["repoURL"] == "localhost:5000/edge/charts"
    assert source["chart"] == "edge-inline-replacement-demon"
    assert source["targetRevision"] == "0.0.1-v2"
    assert source["helm"]["valuesObject"] == helm_values(release)
    assert app["spec"]["destination"]["namespace"] == "store-042"


def test_flux_documents() -> None:
    release = make_release()
    repo, hr = load_yaml_all(render_edge_files(release, ALL)["edges/store-042/helmrelease.yaml"])
    assert repo["kind"] == "OCIRepository"
    assert repo["spec"]["url"] == "oci://localhost:5000/edge/charts/edge-inline-replacement-demon"
    assert repo["spec"]["ref"]["digest"] == CHART_DIGEST
    assert hr["kind"] == "HelmRelease"
    assert hr["spec"]["chartRef"] == {"kind": "OCIRepository", "name": repo["metadata"]["name"]}
    assert hr["metadata"]["namespace"] == repo["metadata"]["namespace"]
    assert hr["spec"]["values"] == helm_values(release)


def test_flux_without_a_known_digest_follows_the_tag() -> None:
    repo, _ = load_yaml_all(render_edge_files(make_release(chart_digest=""), ALL)["edges/store-042/helmrelease.yaml"])
    assert repo["spec"]["ref"] == {"tag": "0.0.1-v2"}


HOSTILE = [
    "a\nb: injected",
    "x: y\n---\napiVersion: v1\nkind: Secret",
    "{{ .Values.ociRegistry.password }}",
    "*alias",
    "&anchor",
    "---",
    "on",
    "# not a comment",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_change_no_structure(text: str) -> None:
    overrides = {
        "podLabels": {"team": text},
        text: {"nested": text},
        "engine": {"extraEnv": [{"name": "X", "value": text}]},
    }
    release = make_release(
        tags=(text, "ok"),
        registry=f"reg.local/{text}",
        engine_image=f"img/{text}:v1",
        publish=text,
        version=text,
        overrides=overrides,
    )
    files = render_edge_files(release, ALL)
    values = helm_values(release)
    (parsed_values,) = load_yaml_all(files["edges/store-042/values.yaml"], version=(1, 1))
    assert parsed_values == values
    (app,) = load_yaml_all(files["edges/store-042/application.yaml"], version=(1, 1))
    assert set(app) == {"apiVersion", "kind", "metadata", "spec"}
    assert app["spec"]["source"]["helm"]["valuesObject"] == values
    assert app["metadata"]["annotations"]["edgec.dev/tags"] == __import__("json").dumps([text, "ok"])
    docs = load_yaml_all(files["edges/store-042/helmrelease.yaml"], version=(1, 1))
    assert [d["kind"] for d in docs] == ["OCIRepository", "HelmRelease"]
    assert docs[1]["spec"]["values"] == values
    # the bundle is shell-quoted: one export line per key, the value intact
    lines = base64.b64decode(values["edgeBundle"]).decode().split("export ")
    assert [line.split("=", 1)[0] for line in lines[1:]] == [
        "BUNDLE_VERSION",
        "CONFIG_CPUS",
        "EDGE_NAME",
        "PIPELINE_URL",
        "OCI_REGISTRY",
    ]


def test_no_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-Pa55word-never-rendered"
    monkeypatch.setenv("EDGEC_REGISTRY_PASSWORD", secret)
    monkeypatch.setenv("EDGEC_REGISTRY_USERNAME", "robot-user-never-rendered")
    files = render_edge_files(make_release(), ALL)
    files["PLAN.md"] = render_plan_md(deployment_summary({"publishes": [], "edges": []}))
    for data in files.values():
        for blob in (data, *_decoded_bundles(data)):
            assert secret.encode() not in blob
            assert b"robot-user-never-rendered" not in blob


def _decoded_bundles(data: bytes) -> list[bytes]:
    out = []
    for doc in load_yaml_all(data) if data.startswith(HEADER) else []:
        text = repr(doc)
        for word in text.replace("'", " ").split():
            try:
                out.append(base64.b64decode(word, validate=True))
            except ValueError:
                continue
    return out


PLAN = {
    "summary": {"edgesMoved": 1},
    "publishes": [
        {"name": "pub", "pipeline": "p", "version": "v1", "replaces": [], "replacedBy": "pub2", "active": False,
         "edges": []},
        {"name": "pub2", "pipeline": "p", "version": "v2", "replaces": ["pub"], "replacedBy": None, "active": True,
         "edges": ["e1"]},
    ],
    "edges": [{"name": "e1", "publish": "pub2", "history": ["pub", "pub2"]}],
    "pipelines": [{"name": "p", "edges": ["e1"], "logEdges": ["e1"]}],
    "replacements": [{"publish": "pub2", "replaces": "pub", "kind": "version-update", "edges": ["e1"]}],
    "rollouts": [{"publish": "pub2", "unassigned": [], "waves": [{"name": "w", "state": "moved", "edges": ["e1"]}]}],
    "diagnostics": [],
    "future": {"x": 1},
}


def test_the_root_summary_lists_no_edge() -> None:
    summary = deployment_summary(PLAN)
    assert "e1" not in json.dumps(summary)
    assert summary["format"] == SUMMARY_FORMAT and summary["summary"] == {"edgesMoved": 1, "edges": 1, "publishes": 2}
    assert [p["edgeCount"] for p in summary["publishes"]] == [0, 1]
    assert summary["pipelines"] == [{"name": "p", "edgeCount": 1, "logEdgeCount": 1}]
    assert summary["replacements"][0]["edgeCount"] == 1
    assert summary["rollouts"] == [{"publish": "pub2", "unassignedCount": 0,
                                    "waves": [{"name": "w", "state": "moved", "edgeCount": 1}]}]
    assert summary["future"] == {"x": 1}


def test_the_root_summary_keeps_a_bounded_number_of_diagnostics() -> None:
    many = [{"code": "empty-wave", "message": str(n)} for n in range(DIAGNOSTICS_KEPT + 7)]
    summary = deployment_summary({**PLAN, "diagnostics": many})
    assert summary["diagnostics"] == many[:DIAGNOSTICS_KEPT] and summary["diagnosticsOmitted"] == 7
    assert "7 more diagnostics are not listed here" in render_plan_md(summary).decode()


def test_plan_md() -> None:
    text = render_plan_md(deployment_summary(PLAN)).decode()
    assert text.startswith("# edgec plan\n")
    assert "| Edges | 1 |" in text and "| Diagnostics | 0 |" in text and "| Other | 1 |" in text
    assert "## Replacements" in text and "kind: version-update" in text and "edgeCount: 1" in text
    assert "e1" not in text
    assert render_plan_md(deployment_summary(PLAN)) == render_plan_md(
        deployment_summary(dict(reversed(list(PLAN.items())))))


def test_plan_md_hostile_strings_stay_inside_code_blocks() -> None:
    evil = "x\n```\n# Injected heading\n| fake | row |"
    text = render_plan_md(deployment_summary({"publishes": [{"name": evil, "edges": []}],
                                              "diagnostics": [{"message": evil}]})).decode()
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# edgec plan", "## Publishes", "## Pipelines", "## Replacements", "## Roll-outs",
                        "## Assays", "## Client impacts", "## Diagnostics"]
    fences = [line for line in text.splitlines() if line.startswith("```")]
    assert fences == ["```yaml", "```", "```yaml", "```"]  # two blocks, each opened and closed once
