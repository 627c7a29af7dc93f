"""What the user wrote for one publish, as one digest: the key by which a recorded publish is recognised.

`edgec.lock.json` records it per publish (`inputsDigest`, with the content digest of each model in `models`).
A later compile whose inputs digest is unchanged reuses the recorded artifacts instead of building them again,
so an edgec upgrade that changes the shipped edge chart or the pipeline-config format, or a machine whose zlib
compresses differently, never changes a recorded publish. The digest therefore covers only the specs and the
model files, never bytes that templates or compression produce:

- the pipeline name and the version's steps, the publish's deploymentConfig and the engine platform it
  resolves to (arch, accel);
- each step model's spec without its `artifact` path (moving a file with the same content changes nothing);
- each step model's content: a file's sha256; for a folder, the sha256 of the sorted list of its files
  (relative path, executable bit, size, sha256), independent of any archive format.

Fields still at their defaults are left out, so a later edgec that adds an optional spec field keeps the digest.
Not covered: `source` (an annotation, not content), `replaces`, `rollout`, `compatibility` and `acknowledge`
(they move edges or check schemas; the artifacts do not hold them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.analysis.graph import engine_platform
from compiler.assemble.archive import directory_members
from compiler.assemble.artifact_builders import ModelLayers
from compiler.assemble.oci_objects import canonical_json, sha256_digest
from compiler.diagnostics import fail
from compiler.load.spec_set import Specs

INPUTS_FORMAT = "edgec.dev/publish-inputs/v1"
_READ = 1 << 20


@dataclass(frozen=True)
class PublishInputs:
    digest: str
    models: dict[str, str]  # model name -> content digest, in step order


class ModelContents:
    """Content digests of model artifacts, each computed once per (path, file state) in a build. A file's is its
    layer's digest (`layers` then holds the layer, so a publish that is built reads the file once)."""

    def __init__(self, layers: ModelLayers) -> None:
        self._layers = layers
        self._known: dict[tuple[Path, tuple[int, int, bool]], str] = {}
        self._entries: dict[str, dict[str, Any]] = {}

    def entry(self, specs: Specs, name: str) -> dict[str, Any]:
        """A step model's part of the inputs document, once per model and build (versions share models)."""
        if name not in self._entries:
            self._entries[name] = {"name": name, "spec": _dump(specs.models[name].spec, exclude={"artifact"}),
                                   "content": self.digest(name, specs.artifact_path(name).resolve())}
        return self._entries[name]

    def digest(self, name: str, path: Path) -> str:
        try:
            if not path.is_dir():
                return self._layers.layer(name, path).digest
            status = path.stat()
            key = (path, (status.st_size, status.st_mtime_ns, path.is_dir()))
            if key not in self._known:
                self._known[key] = _folder_digest(path)
            return self._known[key]
        except FileNotFoundError:
            raise fail("artifact-missing", f"model {name!r}: artifact {path} does not exist") from None
        except OSError as exc:
            raise fail("io-error", f"model {name!r}: cannot read {path}: {exc.strerror or exc}") from None


def publish_inputs(specs: Specs, publish: str, contents: ModelContents) -> PublishInputs | None:
    """The inputs of `publish`; None when its pipeline version does not resolve (validation reports that)."""
    spec = specs.publishes[publish].spec
    version = specs.pipeline_version(spec.pipeline, spec.version)
    if version is None:
        return None
    arch, accel = engine_platform(specs, publish)
    entries = [contents.entry(specs, name) for name in dict.fromkeys(step.model for step in version.steps)]
    document = {
        "format": INPUTS_FORMAT,
        "pipeline": spec.pipeline,
        "version": _dump(version),
        "deploymentConfig": _dump(spec.deployment_config),
        "platform": {"arch": arch, "accel": accel},
        "models": entries,
    }
    return PublishInputs(sha256_digest(canonical_json(document)), {e["name"]: e["content"] for e in entries})


def _dump(model: Any, exclude: set[str] | None = None) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude=exclude)


def _file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_READ):
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def _folder_digest(path: Path) -> str:
    entries = []
    for member in directory_members(path):
        assert isinstance(member.source, Path)
        entries.append([member.name, member.executable, member.size, _file_digest(member.source)])
    return sha256_digest(canonical_json({"folder": entries}))
