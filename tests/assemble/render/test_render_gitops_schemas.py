"""The Argo CD Application and the Flux documents validate against the vendored CRD schemas."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from compiler.assemble.render import render_edge_files
from compiler.spec.model import Accel, Arch, OutputKind

from .helpers import load_yaml_all, make_release

CRDS = Path(__file__).resolve().parents[2] / "data" / "crds"


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((CRDS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(name: str, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(doc)]


RELEASES = {
    "default": make_release(),
    "arm-jetson-no-digest": make_release(arch=Arch.ARM, accel=Accel.JETSON, chart_digest="", insecure_registry=True),
    "overrides": make_release(overrides={"resources": {"limits": {"cpu": "2"}}, "nodeSelector": {"a": "b"}}),
}


@pytest.mark.parametrize("key", sorted(RELEASES))
def test_argocd_application_matches_the_crd(key: str) -> None:
    files = render_edge_files(RELEASES[key], [OutputKind.ARGOCD])
    (app,) = load_yaml_all(files["edges/store-042/application.yaml"])
    assert errors("argocd-application-v1alpha1.json", app) == []


@pytest.mark.parametrize("key", sorted(RELEASES))
def test_flux_documents_match_the_crds(key: str) -> None:
    files = render_edge_files(RELEASES[key], [OutputKind.FLUX])
    repo, release = load_yaml_all(files["edges/store-042/helmrelease.yaml"])
    assert errors("flux-ocirepository-v1.json", repo) == []
    assert errors("flux-helmrelease-v2.json", release) == []


def test_the_schemas_do_catch_mistakes() -> None:
    files = render_edge_files(make_release(), list(OutputKind))
    (app,) = load_yaml_all(files["edges/store-042/application.yaml"])
    repo, release = load_yaml_all(files["edges/store-042/helmrelease.yaml"])
    bad_app = copy.deepcopy(app)
    bad_app["spec"]["source"]["helm"]["valueObject"] = {}  # misspelt
    del bad_app["spec"]["project"]
    assert len(errors("argocd-application-v1alpha1.json", bad_app)) == 2
    bad_repo = copy.deepcopy(repo)
    bad_repo["spec"]["url"] = "https://not-oci"
    assert errors("flux-ocirepository-v1.json", bad_repo)
    bad_release = copy.deepcopy(release)
    bad_release["spec"]["chart"] = {"spec": {"chart": "x", "sourceRef": {"name": "y"}}}  # both chart and chartRef
    bad_release["spec"]["releaseName"] = "x" * 54
    assert len(errors("flux-helmrelease-v2.json", bad_release)) == 2


LABELLED = make_release(labels={"ring": "canary", "example.com/hw": "rev-b"}, tags=("west", "store 42/Ü", "eu"))


def test_labels_and_tags_reach_every_object_as_well_formed_labels() -> None:
    files = render_edge_files(LABELLED, [OutputKind.ARGOCD, OutputKind.FLUX])
    (app,) = load_yaml_all(files["edges/store-042/application.yaml"])
    repo, release = load_yaml_all(files["edges/store-042/helmrelease.yaml"])
    labels = app["metadata"]["labels"]
    assert labels == repo["metadata"]["labels"] == release["metadata"]["labels"]
    assert labels["ring"] == "canary" and labels["example.com/hw"] == "rev-b"
    assert labels["tag.edgec.dev/west"] == labels["tag.edgec.dev/eu"] == "true"
    odd = [k for k in labels if k.startswith("tag.edgec.dev/store-42")]
    assert len(odd) == 1 and len(odd[0].split("/")[1]) <= 63
    assert labels["app.kubernetes.io/managed-by"] == "edgec" and labels["edgec.dev/edge"] == "store-042"
    assert errors("argocd-application-v1alpha1.json", app) == []
    assert errors("flux-ocirepository-v1.json", repo) == []
    assert errors("flux-helmrelease-v2.json", release) == []


def test_the_crds_refuse_an_ill_formed_label_key() -> None:
    (app,) = load_yaml_all(render_edge_files(make_release(), [OutputKind.ARGOCD])["edges/store-042/application.yaml"])
    app["metadata"]["labels"]["store 42"] = "x"
    assert errors("argocd-application-v1alpha1.json", app)


def test_one_drift_policy_in_both_agents() -> None:
    files = render_edge_files(make_release(), [OutputKind.ARGOCD, OutputKind.FLUX])
    (app,) = load_yaml_all(files["edges/store-042/application.yaml"])
    _, release = load_yaml_all(files["edges/store-042/helmrelease.yaml"])
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert release["spec"]["driftDetection"] == {"mode": "enabled"}
