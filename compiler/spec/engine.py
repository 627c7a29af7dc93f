"""How an edge runs its engine: the image for its device, CONFIG_CPUS and the edge bundle (NOTES.md).

One place for these rules, shared by the rendered Helm values and the operator commands of the plan, so that a
`helm upgrade` printed by `edgec plan` carries exactly the bundle the rendered values hold. Pure.
"""

from __future__ import annotations

import base64
import math
import re
import shlex
from collections.abc import Mapping

from compiler.spec.model import Accel, Arch

#: Version of the `edgeBundle` format.
BUNDLE_VERSION = "1"
#: Suffix of the engine image repository per architecture and per accelerator (NOTES.md: `fitzroy-mini` with
#: `-aarch64`, `-cuda` and `-jetson` variants). The documented ones are arm, cuda and jetson; the other
#: accelerators follow the same `-<accel>` rule and power10 the `-<arch>` rule (an override of
#: `image.repository` in the location's `values` wins). Jetson images are aarch64 builds, so jetson does not
#: add `-aarch64` as well.
ARCH_SUFFIX: Mapping[Arch, str] = {Arch.X86: "", Arch.ARM: "-aarch64", Arch.POWER10: "-power10"}
ACCEL_SUFFIX: Mapping[Accel, str] = {
    Accel.NONE: "",
    Accel.CUDA: "-cuda",
    Accel.JETSON: "-jetson",
    Accel.OPENVINO: "-openvino",
    Accel.QAIC: "-qaic",
    Accel.ROCM: "-rocm",
}


#: Resources of one sidekick container, as the Wallaroo SDK defaults them when a deployment config sets none
#: (wallaroo/deployment_config.py, `_deploy_config_to_engine_config`: cpu 1.0, memory 512Mi).
SIDEKICK_CPUS = 1.0
SIDEKICK_MEMORY = "512Mi"

_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$")
_FACTOR = {None: 1, "m": 0.001, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def quantity_bytes(quantity: str) -> int | None:
    """A Kubernetes quantity (`3Gi`, `512Mi`, `1.5G`) in bytes, rounded up; None when it is not one."""
    match = _QUANTITY.match(quantity)
    if not match:
        return None
    return math.ceil(float(match.group(1)) * _FACTOR[match.group(2)])


def sum_quantities(quantities: list[str]) -> str:
    """The sum of memory quantities, in the largest binary unit that holds it exactly (`3Gi` + `512Mi` = `3584Mi`)."""
    total = 0
    for quantity in quantities:
        size = quantity_bytes(quantity)
        if size is None:
            raise ValueError(f"not a quantity: {quantity!r}")
        total += size
    for unit, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if total and total % size == 0:
            return f"{total // size}{unit}"
    return str(total)


def config_cpus(cpus: float) -> int:
    """CONFIG_CPUS as Wallaroo computes it: max(1, ceil(engine cpus))."""
    return max(1, math.ceil(cpus))


def engine_image(image: str, arch: Arch | str, accel: Accel | str) -> tuple[str, str]:
    """(repository, tag) of the engine image for a device: the suffix goes on the repository's last path
    component, before the tag (`ghcr.io/wallaroolabs/fitzroy-mini-aarch64:v2024.1.0`)."""
    repository, sep, tag = image.rpartition(":")
    if not sep or "/" in tag or not repository:
        raise ValueError(f"engine image {image!r} has no tag")
    arch, accel = Arch(arch), Accel(accel)
    arch_suffix = "" if accel is Accel.JETSON else ARCH_SUFFIX[arch]
    return repository + arch_suffix + ACCEL_SUFFIX[accel], tag


#: What a replacement's bundle carries instead of a join token, as Wallaroo's replacement bundles do: the edge
#: joined the Ops center on its first install and keeps its identity (NOTES.md).
JOIN_TOKEN_OMITTED = "omitted_for_replace"
#: The key of the join token in its Secret.
JOIN_TOKEN_SECRET_KEY = "token"


def join_token_secret(edge: str) -> str:
    """The default name of the Kubernetes Secret that holds an edge's first-install join token: one per edge, so
    edges that share a namespace never share a token (a token is issued per edge by the Ops center)."""
    return f"{edge}-join-token"


def edge_bundle(edge: str, cpus: float, pipeline_url: str, registry: str, *, ops_center_host: str | None = None,
                replaced: bool = False) -> str:
    """base64 of the `export KEY=value` lines the engine reads, in the order of Wallaroo's bundles.

    With an Ops center, OPSCENTER_HOST; a replacement adds `JOIN_TOKEN=omitted_for_replace`. A first install's
    JOIN_TOKEN is never in the bundle (the bundle lands in git and in the OCI chart's values): the chart reads it
    from a Secret. Without an Ops center there is nothing to join and neither key appears. Values are
    shell-quoted where needed."""
    entries = [
        ("BUNDLE_VERSION", BUNDLE_VERSION),
        ("CONFIG_CPUS", str(config_cpus(cpus))),
        ("EDGE_NAME", edge),
        *([("OPSCENTER_HOST", ops_center_host)] if ops_center_host else []),
        ("PIPELINE_URL", pipeline_url),
        *([("JOIN_TOKEN", JOIN_TOKEN_OMITTED)] if ops_center_host and replaced else []),
        ("OCI_REGISTRY", registry),
    ]
    text = "".join(f"export {key}={shlex.quote(value)}\n" for key, value in entries)
    return base64.b64encode(text.encode()).decode("ascii")
