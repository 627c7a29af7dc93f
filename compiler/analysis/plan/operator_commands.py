"""The commands a device operator runs without GitOps, as a Wallaroo publish prints them (NOTES.md).

`helm install --atomic` for an edge that was never replaced, `helm upgrade --atomic` for one that moved (a new
revision of the same release), and the `docker run` equivalent. Secrets appear only as environment variable
references ($OCI_USERNAME, $OCI_PASSWORD); the edge bundle never carries a join token.

The image, CONFIG_CPUS and bundle rules are `compiler.spec.engine`'s, the same the rendered values use.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

from compiler.spec import naming
from compiler.spec.engine import config_cpus, edge_bundle, engine_image

_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$")
_FACTOR = {None: 1, "m": 0.001, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


@dataclass(frozen=True)
class Commands:
    helm: str
    docker: str
    mode: str  # "install" (never replaced) or "upgrade" (moved)

    def to_json(self) -> dict[str, str]:
        return {"mode": self.mode, "helm": self.helm, "docker": self.docker}


@dataclass(frozen=True)
class Target:
    """What an edge runs: its name, device and current publish."""

    edge: str
    pipeline: str
    version: str
    arch: str
    accel: str
    cpus: float
    memory: str
    pipeline_url: str
    moved: bool






def docker_memory(quantity: str) -> str:
    """A Kubernetes quantity (`3Gi`, `512Mi`, `1.5G`) in docker's units (`3g`, `512m`, bytes)."""
    match = _QUANTITY.match(quantity)
    if not match:
        return quantity
    total = math.ceil(float(match.group(1)) * _FACTOR[match.group(2)])
    for unit, size in (("g", 2**30), ("m", 2**20), ("k", 2**10)):
        if total and total % size == 0:
            return f"{total // size}{unit}"
    return str(total)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)




def commands_for(target: Target, *, registry: str, image: str) -> Commands:
    bundle = edge_bundle(target.edge, target.cpus, target.pipeline_url, registry)
    device_image = ":".join(engine_image(image, target.arch, target.accel))
    verb = "upgrade" if target.moved else "install"
    chart = shlex.quote(naming.chart_url(registry, target.pipeline))
    helm = (
        f"helm {verb} --atomic $HELM_INSTALL_NAME {chart} --namespace $HELM_INSTALL_NAMESPACE"
        f" --version {shlex.quote(naming.chart_version(target.version))}"
        f" --set ociRegistry.username=$OCI_USERNAME --set ociRegistry.password=$OCI_PASSWORD"
        f" --set edgeBundle={bundle}"
    )
    docker = (
        "docker run -v $PERSISTENT_VOLUME_DIR:/persist -p $EDGE_PORT:8080 -e OCI_USERNAME -e OCI_PASSWORD"
        f" -e PIPELINE_URL={shlex.quote(target.pipeline_url)} -e EDGE_BUNDLE={bundle}"
        f" -e CONFIG_CPUS={config_cpus(target.cpus)} --cpus={_number(target.cpus)}"
        f" --memory={docker_memory(target.memory)} {shlex.quote(device_image)}"
    )
    return Commands(helm, docker, verb)
