"""The commands a device operator runs without GitOps, built from the very values `edges/<edge>/values.yaml` holds.

`helm install` for an edge that was never replaced, `helm upgrade` for one that moved (a new revision of the same
release), both with helm 4's `--rollback-on-failure` (its `--atomic` is deprecated) and `--plain-http` for a
plain-HTTP registry; every top-level key of the rendered values goes in as one `--set-json`, so the release
renders exactly what the GitOps values render (tested with the real helm against the real registry). The
`docker run` equivalent takes the image, PIPELINE_URL, EDGE_BUNDLE, CPUs and memory (sidekicks' share included),
GPUs and the container's extra env (`engine.extraEnv`, and `engineAux.env` with sidekicks; an entry read from a
Secret is passed by name, from the operator's environment) from the same values.
Registry credentials and a first install's Ops center join token appear only as names of the operator's
environment variables (`-e OCI_USERNAME -e OCI_PASSWORD -e JOIN_TOKEN`): the chart reads them from Kubernetes
Secrets (`ociRegistry.existingSecret`, `opsCenter.joinTokenSecretName`), never from values.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.spec import naming
from compiler.spec.engine import JOIN_TOKEN_OMITTED, config_cpus, quantity_bytes

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Commands:
    helm: str
    docker: str
    mode: str  # "install" (never replaced) or "upgrade" (moved)

    def to_json(self) -> dict[str, str]:
        return {"mode": self.mode, "helm": self.helm, "docker": self.docker}


def docker_memory(quantity: str) -> str:
    """A Kubernetes quantity (`3Gi`, `512Mi`, `1.5G`) in docker's units (`3g`, `512m`, bytes)."""
    total = quantity_bytes(quantity)
    if total is None:
        return quantity
    for unit, size in (("g", 2**30), ("m", 2**20), ("k", 2**10)):
        if total and total % size == 0:
            return f"{total // size}{unit}"
    return str(total)


def _cpus(value: Any) -> float:
    """A CPU quantity (`4`, `2.5`, `"500m"`) as a number of CPUs."""
    text = str(value)
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return 1.0


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _set_json(key: str, value: Any) -> str:
    return "--set-json " + shlex.quote(f"{key}={json.dumps(value, sort_keys=True, separators=(',', ':'))}")


def commands_for(values: Mapping[str, Any], *, registry: str, pipeline: str, version: str, moved: bool,
                 insecure_registry: bool) -> Commands:
    """The helm and docker commands that run what `values` (an edge's rendered values) describes."""
    verb = "upgrade" if moved else "install"
    helm = " ".join([
        f"helm {verb} $HELM_INSTALL_NAME {shlex.quote(naming.chart_url(registry, pipeline))}",
        f"--version {shlex.quote(naming.chart_version(version))}",
        "--namespace $HELM_INSTALL_NAMESPACE --create-namespace --rollback-on-failure",
        *(["--plain-http"] if insecure_registry else []),
        *(_set_json(key, values[key]) for key in sorted(values)),
    ])
    engine = values.get("engine") or {}
    image = values.get("image") or {}
    cpus = float(engine.get("cpus", 1))
    limits = (values.get("resources") or {}).get("limits") or {}  # the pod's whole share, sidekicks included
    container_cpus = _cpus(limits.get("cpu", cpus))
    container_memory = str(limits.get("memory", engine.get("memory", "1Gi")))
    gpus = int(engine.get("gpus") or 0)
    env = [("PIPELINE_URL", str(engine.get("pipelineUrl", ""))), ("EDGE_BUNDLE", str(values.get("edgeBundle", ""))),
           ("EDGE_NAME", str(values.get("edgeName", ""))), ("CONFIG_CPUS", str(config_cpus(cpus))),
           ("OCI_REGISTRY", str((values.get("ociRegistry") or {}).get("registry", "")))]
    passed = ["OCI_USERNAME", "OCI_PASSWORD"]  # from the operator's environment, never written out
    ops = values.get("opsCenter") or {}
    if ops.get("host"):
        env.append(("OPSCENTER_HOST", str(ops["host"])))
        if ops.get("joinTokenSecretName"):
            passed.append("JOIN_TOKEN")
        else:
            env.append(("JOIN_TOKEN", JOIN_TOKEN_OMITTED))
    extra = list(engine.get("extraEnv") or [])
    if (values.get("engineAux") or {}).get("images"):  # the chart adds engineAux.env only with sidekicks
        extra += list((values.get("engineAux") or {}).get("env") or [])
    for entry in extra:  # Kubernetes EnvVar objects: a value is written out, a valueFrom comes from the operator
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            if "value" in entry:
                env.append((entry["name"], str(entry["value"])))
            else:
                passed.append(entry["name"])
    docker = " ".join([
        "docker run -v $PERSISTENT_VOLUME_DIR:/persist -p $EDGE_PORT:8080",
        *(f"-e {shlex.quote(key)}" for key in passed),
        *(f"-e {shlex.quote(f'{key}={value}')}" if not _PLAIN_KEY.match(key) else f"-e {key}={shlex.quote(value)}"
          for key, value in env),
        *([f"--gpus={gpus}"] if gpus else []),
        f"--cpus={_number(container_cpus)} --memory={docker_memory(container_memory)}",
        shlex.quote(f"{image.get('repository', '')}:{image.get('tag', '')}"),
    ])
    return Commands(helm, docker, verb)
