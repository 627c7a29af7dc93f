"""Composition: which artifact store and deployment repository a command uses, from the config and the environment.

The CLI hands in the environment (and a progress printer when a person watches); tests hand in `Adapters` of
fakes or real services instead, so nothing of edgec has to be patched. Adapters are opened only once the specs
are loaded and valid: a command that stops at validation never imports oras-py or GitPython.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.adapters.deploy import DeployRepository
    from compiler.adapters.oci.store import ArtifactStore, Progress
    from compiler.load.spec_set import Specs

#: Where artifacts go when the config names no registry (below the spec root); `oras cp --from-oci-layout`
#: copies them on.
LOCAL_LAYOUT = (".edgec", "oci")

Warn = Callable[[str], None]


def _silent(_text: str) -> None:
    """No warnings wanted."""


@dataclass(frozen=True)
class Adapters:
    """How a command reaches the outside world, opened from the loaded specs."""

    store: Callable[[Specs], ArtifactStore]
    deploy: Callable[[Specs], DeployRepository]


def artifact_store(specs: Specs, environ: Mapping[str, str], *, progress: Progress | None = None,
                   warn: Warn = _silent) -> ArtifactStore:
    """The config's registry with credentials from `environ`, else the local OCI layout `.edgec/oci`. `warn`
    receives warnings about the connection (plain HTTP to a host that is not loopback)."""
    config = specs.config
    if config.registry is None:
        from compiler.adapters.oci.layout import LayoutStore

        return LayoutStore(specs.root.joinpath(*LOCAL_LAYOUT), progress=progress)
    from compiler.adapters.oci.registry import Timeouts, open_registry_store

    return open_registry_store(config.registry, environ, insecure=config.insecure_registry,
                               allow_insecure_credentials=config.insecure_registry_credentials,
                               timeouts=Timeouts(**config.registry_timeouts.model_dump()), progress=progress,
                               warn=warn)


def deploy_repository(specs: Specs) -> DeployRepository:
    """The config's deployment repository on real git."""
    from compiler.adapters.deploy import DeployTarget, GitDeployRepository

    return GitDeployRepository(DeployTarget.from_config(specs.root, specs.config.deploy_repo))


def real_adapters(environ: Mapping[str, str], *, progress: Progress | None = None, warn: Warn = _silent) -> Adapters:
    """The adapters of a run of `edgec`: the real registry (or layout) and the real deployment repository."""
    return Adapters(store=lambda specs: artifact_store(specs, environ, progress=progress, warn=warn),
                    deploy=deploy_repository)
