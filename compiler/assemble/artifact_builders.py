"""Build the artifacts of one publish: the pipeline (config + model files) and its Helm chart.

Pure apart from reading model files. Both artifacts are content addressed: the same inputs give the same
manifest digest on every machine, so `render` can pin `pipelineUrl` by digest before (or without) a push.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compiler.assemble.archive import TarGzStream, directory_members
from compiler.assemble.oci_objects import Artifact, Blob, canonical_json
from compiler.diagnostics import fail
from compiler.spec.model import DeploymentConfig, ModelSpec, PipelineVersion
from compiler.spec.naming import chart_repository, chart_version, pipeline_repository

PIPELINE_ARTIFACT_TYPE = "application/vnd.edgec.pipeline.v1+json"
PIPELINE_CONFIG_MEDIA_TYPE = "application/vnd.edgec.pipeline.config.v1+json"
MODEL_FILE_MEDIA_TYPE = "application/vnd.edgec.model.file.v1"
# oras's own media type for a directory layer: `oras pull` unpacks only this one (oras-py 0.2) or any layer
# annotated `io.deis.oras.content.unpack` (oras CLI); entries sit under `<title>/`, as oras packs them.
MODEL_DIRECTORY_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"

HELM_CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

TITLE = "org.opencontainers.image.title"
VERSION = "org.opencontainers.image.version"
REVISION = "org.opencontainers.image.revision"
DESCRIPTION = "org.opencontainers.image.description"
SOURCE = "org.opencontainers.image.source"
MODEL_ANNOTATION = "dev.edgec.model"
UNPACK_ANNOTATION = "io.deis.oras.content.unpack"  # lets `oras pull` unpack a directory layer
CONTENT_DIGEST_ANNOTATION = "io.deis.oras.content.digest"  # digest of the uncompressed tar (oras checks it)


class ModelLayers:
    """Model layers built once per (model, path, file state): versions sharing a model share its layer, so the
    model is read (and hashed) once and no copy of it stays in memory."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, Path, tuple[int, int, bool]], Blob] = {}

    def layer(self, name: str, path: Path) -> Blob:
        try:
            status = path.stat()
        except FileNotFoundError:
            raise fail("artifact-missing", f"model {name!r}: artifact {path} does not exist") from None
        except OSError as exc:
            raise fail("io-error", f"model {name!r}: cannot read {path}: {exc.strerror or exc}") from None
        key = (name, path, (status.st_size, status.st_mtime_ns, path.is_dir()))
        if key not in self._built:
            self._built[key] = _model_layer(name, path)
        return self._built[key]

def pipeline_artifact(
    pipeline: str,
    version: PipelineVersion,
    models: Mapping[str, ModelSpec],
    model_paths: Mapping[str, Path],
    deployment: DeploymentConfig,
    *,
    engine: dict[str, Any],
    source: str | None = None,
    layers: ModelLayers | None = None,
) -> Artifact:
    """The pipeline artifact (`compiler.spec.naming`): a config blob describing the version, one layer per model.

    `model_paths` maps a model name to its resolved artifact (a file, or a directory archived reproducibly).
    Only models used by the version's steps are included, in step order, each once. `layers` shares model
    layers between the versions of one build.

    The `org.opencontainers.image.revision` annotation is the digest of the config blob, which covers every
    publish input (steps, schemas, engine and deployment config, and every model layer's digest). It is
    deliberately not the spec repo's git commit: a commit that changes nothing of this publish must leave
    the manifest digest, the pinned `pipelineUrl` and hence the whole rendered tree byte-identical.
    """
    used = list(dict.fromkeys(step.model for step in version.steps))
    missing = [name for name in used if name not in models or name not in model_paths]
    if missing:
        raise ValueError(f"pipeline {pipeline!r} version {version.name!r} uses unresolved models {missing}")

    cache = layers or ModelLayers()
    model_layers: list[Blob] = []
    model_entries: list[dict[str, Any]] = []
    for name in used:
        layer = cache.layer(name, model_paths[name])
        model_layers.append(layer)
        model_entries.append(_model_entry(name, models[name], layer))

    first, last = models[used[0]], models[version.steps[-1].model]
    config_doc = {
        "apiVersion": "edgec.dev/v1",
        "pipeline": pipeline,
        "version": version.name,
        "steps": [step.model_dump(mode="json", by_alias=True) for step in version.steps],
        "models": model_entries,
        "inputSchema": _fields(first.input_schema),
        "outputSchema": _fields(last.output_schema),
        "deploymentConfig": deployment.model_dump(mode="json", by_alias=True, exclude_none=True),
        "engine": engine,
    }
    config = Blob(PIPELINE_CONFIG_MEDIA_TYPE, canonical_json(config_doc))
    return Artifact(
        repository=pipeline_repository(pipeline),
        tag=version.name,
        artifact_type=PIPELINE_ARTIFACT_TYPE,
        config=config,
        layers=tuple(model_layers),
        annotations={TITLE: pipeline, VERSION: version.name, REVISION: config.digest, **_source(source)},
    )


def chart_artifact(pipeline: str, version: str, chart_tgz: bytes, chart_yaml: dict[str, Any], *,
                   source: str | None = None) -> Artifact:
    """The chart of a pipeline version (`compiler.spec.naming`) with Helm's media types, so `helm pull oci://...`
    accepts it.

    Unlike `helm push`, no `org.opencontainers.image.created` annotation is stamped: the digest depends on
    the chart content only.
    """
    annotations = {TITLE: str(chart_yaml.get("name", pipeline)), VERSION: chart_version(version), **_source(source)}
    if chart_yaml.get("description"):
        annotations[DESCRIPTION] = str(chart_yaml["description"])
    return Artifact(
        repository=chart_repository(pipeline),
        tag=chart_version(version),
        artifact_type=None,
        config=Blob(HELM_CONFIG_MEDIA_TYPE, canonical_json(chart_yaml)),
        layers=(Blob(HELM_CHART_MEDIA_TYPE, chart_tgz),),
        annotations=annotations,
    )


def _source(source: str | None) -> dict[str, str]:
    """`org.opencontainers.image.source`: the spec repository as the config names it (a stable value, unlike a
    clone's remote URL, so the digest does not depend on who compiles)."""
    return {SOURCE: source} if source else {}


def _model_layer(name: str, path: Path) -> Blob:
    """A file streams from disk; a folder is a tar+gzip stream with its entries under `<name>/` (the title), as
    `oras push` packs a folder, so `oras pull` restores it as `<name>/`. Both are hashed in one pass."""
    try:
        if path.is_dir():
            stream = TarGzStream(directory_members(path, prefix=f"{name}/"))
            return Blob.of_stream(
                MODEL_DIRECTORY_MEDIA_TYPE, stream,
                lambda: {TITLE: name, MODEL_ANNOTATION: name, UNPACK_ANNOTATION: "true",
                         CONTENT_DIGEST_ANNOTATION: stream.tar_digest or ""},
            )
        return Blob.of_file(MODEL_FILE_MEDIA_TYPE, path, {TITLE: f"{name}/{path.name}", MODEL_ANNOTATION: name})
    except FileNotFoundError:
        raise fail("artifact-missing", f"model {name!r}: artifact {path} does not exist") from None
    except OSError as exc:
        raise fail("io-error", f"model {name!r}: cannot read {path}: {exc.strerror or exc}") from None


def _model_entry(name: str, spec: ModelSpec, layer: Blob) -> dict[str, Any]:
    entry = spec.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"artifact"})
    entry["name"] = name
    entry["layer"] = {"digest": layer.digest, "mediaType": layer.media_type, "size": layer.size}
    return entry


def _fields(fields: list[Any]) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json", by_alias=True, exclude_none=True) for f in fields]

