"""The spec model: every resource kind, in one place.

These pydantic models are the single source of truth of the spec format. `compiler.spec.schema` generates the public
JSON Schema (`schemas/edgec.schema.json`) from them, and a test proves the checked-in file is current. Rules that a
JSON Schema can express live here as field constraints or `json_schema_extra`, so the schema and the models never
disagree; rules across documents (references, cycles) are semantic checks elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from functools import cache
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ForwardRef,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from compiler.spec.rule_ids import RULE_IDS

API_VERSION = "edgec.dev/v1"
NAME_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
# Versions end up in OCI tags (`<pipeline>:<version>`) and in chart versions (`0.0.1-<version>`, a SemVer
# pre-release), so only characters valid in both are allowed.
VERSION_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
MAX_CPUS = 4096  # every number of the format is bounded, so nothing downstream overflows
QUANTITY_PATTERN = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$"

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=63)]
VersionName = Annotated[str, StringConstraints(pattern=VERSION_PATTERN, max_length=63)]
Quantity = Annotated[str, StringConstraints(pattern=QUANTITY_PATTERN, max_length=24)]  # bounded: no float overflow


class _Strict(BaseModel):
    """Unknown keys are errors (a misspelt key must never be silently ignored); values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------------------------------- fields
class DataType(StrEnum):
    BOOL = "bool"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    UINT64 = "uint64"
    FLOAT16 = "float16"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    STRING = "string"
    BINARY = "binary"
    DATE = "date"
    TIMESTAMP = "timestamp"
    DECIMAL = "decimal"
    LIST = "list"
    STRUCT = "struct"


TimeUnit = Literal["s", "ms", "us", "ns"]

_TYPE_RULES: list[JsonValue] = [
    {"if": {"properties": {"type": {"const": "decimal"}}},
     "then": {"required": ["precision", "scale"]},
     "else": {"not": {"anyOf": [{"required": ["precision"]}, {"required": ["scale"]}]}}},
    {"if": {"properties": {"type": {"const": "list"}}},
     "then": {"required": ["items"]}, "else": {"not": {"required": ["items"]}}},
    {"if": {"properties": {"type": {"const": "struct"}}},
     "then": {"required": ["fields"]}, "else": {"not": {"required": ["fields"]}}},
    {"if": {"properties": {"type": {"const": "timestamp"}}},
     "else": {"not": {"anyOf": [{"required": ["unit"]}, {"required": ["tz"]}]}}},
]


class FieldType(_Strict):
    """A type: what a field or a list item holds."""

    model_config = ConfigDict(json_schema_extra={"allOf": _TYPE_RULES})

    type: DataType = Field(description="the data type; list needs items, struct needs fields, decimal needs "
                           "precision and scale")
    nullable: bool = Field(default=False, description="whether the value may be null")
    shape: list[Annotated[int, Field(ge=-1, le=2**31 - 1)]] | None = Field(
        default=None, min_length=1, description="fixed-shape tensor dimensions; -1 is a dynamic dimension"
    )
    fields: list[SchemaField] | None = Field(default=None, min_length=1, description="the fields of a struct")
    items: FieldType | None = Field(default=None, description="the type of a list's items (a field without name)")
    unit: TimeUnit | None = Field(default=None, description="a timestamp's unit: s, ms, us or ns")
    tz: str | None = Field(default=None, description="a timestamp's time zone, e.g. UTC")
    precision: Annotated[int, Field(ge=1, le=76)] | None = Field(
        default=None, description="a decimal's number of digits")
    scale: Annotated[int, Field(ge=0, le=76)] | None = Field(
        default=None, description="a decimal's digits after the point")
    description: str | None = Field(default=None, description="free text; a change is METADATA_CHANGED only")


class SchemaField(FieldType):
    """A named field of a model's input or output schema."""

    model_config = ConfigDict(json_schema_extra={"allOf": _TYPE_RULES}, title="Field")

    name: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\s.\[\]]+$")] = Field(
        description="the field name: its log column is in.<name> or out.<name>")




# --------------------------------------------------------------------------------------------------- common
class Arch(StrEnum):
    X86 = "x86"
    ARM = "arm"
    POWER10 = "power10"


class Accel(StrEnum):
    NONE = "none"
    CUDA = "cuda"
    JETSON = "jetson"
    OPENVINO = "openvino"
    QAIC = "qaic"
    ROCM = "rocm"


#: Accelerators that need one architecture (SPEC section 1); the rest run anywhere.
ACCEL_REQUIRES_ARCH: dict[Accel, Arch] = {
    Accel.JETSON: Arch.ARM,
    Accel.OPENVINO: Arch.X86,
    Accel.QAIC: Arch.X86,
    Accel.ROCM: Arch.X86,
}


class Compatibility(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"


class LogFormat(StrEnum):
    """The table format of the pipeline's inference-log table: it decides which column type changes are legal."""

    ICEBERG_V2 = "iceberg-v2"
    ICEBERG_V3 = "iceberg-v3"
    DELTA = "delta"


class Metadata(_Strict):
    name: Name = Field(description="unique per kind: lowercase letters, digits and '-', at most 63 characters")
    labels: dict[str, str] = Field(
        default_factory=dict, description="string to string; roll-out waves select edges by them")


# --------------------------------------------------------------------------------------------------- kinds
#: Wallaroo's frameworks, exactly the values of the SDK's own `wallaroo.framework.Framework` enum (PyPI package
#: `wallaroo` 2026.1.3, wallaroo/framework.py), in its order, plus `mlflow`, which SPEC section 1 keeps. An enum in
#: the schema: editors complete it, and a misspelt Hugging Face task is an error with a did-you-mean.
FRAMEWORKS: tuple[str, ...] = (
    "onnx", "tensorflow", "python",
    "keras", "sklearn", "pytorch", "xgboost",
    "hugging-face-automatic-speech-recognition", "hugging-face-feature-extraction",
    "hugging-face-image-classification", "hugging-face-image-segmentation", "hugging-face-image-to-text",
    "hugging-face-object-detection", "hugging-face-question-answering", "hugging-face-stable-diffusion-text-2-img",
    "hugging-face-summarization", "hugging-face-text-classification", "hugging-face-translation",
    "hugging-face-zero-shot-classification", "hugging-face-zero-shot-image-classification",
    "hugging-face-zero-shot-object-detection", "hugging-face-sentiment-analysis", "hugging-face-text-generation",
    "custom", "vllm", "sglang",
    "mlflow",
)

#: The frameworks Wallaroo runs in a sidekick container next to the engine (its "containerized runtime") rather
#: than in the engine itself: python, the hugging-face-<task> family, vllm and custom as issue 11 lists them from
#: Wallaroo's documentation; sglang because the SDK groups it with vllm and custom (framework.py
#: `requires_config`: the frameworks that need a FrameworkConfig, i.e. an LLM/BYOP runtime of their own); mlflow
#: because Wallaroo's published edge charts say so ("Sidekicks are MLFlow services called only by the engine",
#: values.yaml of the charts in github.com/WallarooLabs/public-helm). Such models get the chart's `engineAux`.
SIDEKICK_FRAMEWORKS = frozenset({"python", "custom", "vllm", "sglang", "mlflow"})
SIDEKICK_FRAMEWORK_PREFIX = "hugging-face-"


def runs_in_sidekick(framework: str) -> bool:
    return framework in SIDEKICK_FRAMEWORKS or framework.startswith(SIDEKICK_FRAMEWORK_PREFIX)


if TYPE_CHECKING:
    Framework = str
else:
    Framework = Literal[FRAMEWORKS]


class ModelSpec(_Strict):
    framework: Framework = Field(description="the Wallaroo framework (the SDK's Framework enum, and mlflow)")
    artifact: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="file or directory, relative to the spec file; must stay inside the spec root"
    )
    arch: Arch = Field(default=Arch.X86, description="the architecture the model runs on")
    accel: Accel = Field(default=Accel.NONE, description="the accelerator; jetson needs arm; openvino, qaic and rocm "
                         "need x86")
    tensor_fields: list[str] | None = Field(
        default=None, alias="tensorFields", description="the input fields Wallaroo feeds the model as tensors")
    input_schema: list[SchemaField] = Field(
        alias="inputSchema", min_length=1, description="the fields the model takes (log columns in.<field>)")
    output_schema: list[SchemaField] = Field(
        alias="outputSchema", min_length=1, description="the fields the model returns (log columns out.<field>)")


class Step(_Strict):
    model: Name = Field(description="the Model this step runs")


class PipelineVersion(_Strict):
    name: VersionName = Field(description="unique within the pipeline; immutable once published")
    steps: list[Step] = Field(min_length=1, description="in order: each step's outputs feed the next step's inputs")


class PipelineSpec(_Strict):
    versions: list[PipelineVersion] = Field(min_length=1, description="ordered, oldest first")


class EngineConfig(_Strict):
    cpus: Annotated[float, Field(gt=0, le=MAX_CPUS)] = Field(default=1.0, description="CPUs of the engine")
    memory: Quantity = Field(default="1Gi", description="memory of the engine, a Kubernetes quantity such as 3Gi")
    arch: Arch | None = Field(default=None, description="default: the models' own")
    accel: Accel | None = Field(default=None, description="default: the models' own")
    gpus: Annotated[int, Field(ge=0, le=1024)] = Field(default=0, description="GPUs of the engine")


class EngineLbConfig(_Strict):
    cpus: Annotated[float, Field(gt=0, le=MAX_CPUS)] = Field(default=0.2, description="CPUs of the load balancer")
    memory: Quantity = Field(default="512Mi", description="memory of the load balancer, a Kubernetes quantity")


class DeploymentConfig(_Strict):
    engine: EngineConfig = Field(default_factory=EngineConfig, description="engine resources of the edge deployment")
    engine_lb: EngineLbConfig = Field(
        default_factory=EngineLbConfig, alias="engineLb", description="resources of the engine's load balancer")


if TYPE_CHECKING:
    RuleId = str
else:
    RuleId = Literal[RULE_IDS]  # an enum in the schema, so editors complete the rule ids


class Acknowledgement(_Strict):
    rule: RuleId = Field(description="the finding's rule id (SCHEMA-RULES.md)")
    field: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="the finding's path in log-column form, e.g. out.variable or in.detections[].score"
    )
    reason: str | None = Field(default=None, description="why the change is accepted, for reviewers")


#: A soak time: whole units, largest first, e.g. `2h`, `1d`, `1h30m`, `90s` (w, d, h, m, s).
DURATION_PATTERN = r"^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
Duration = Annotated[str, StringConstraints(pattern=DURATION_PATTERN, min_length=2, max_length=40)]


class WaveSelector(_Strict):
    """Which edges a wave takes; every given condition must hold (SPEC section 7)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    match_labels: dict[str, str] | None = Field(
        default=None, alias="matchLabels", description="EdgeLocation metadata.labels; every pair must match")
    match_tags: list[str] | None = Field(
        default=None, alias="matchTags", description="EdgeLocation spec.tags; every tag must be present")
    percent: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None, description="a stable share of the edges not in an earlier wave, by a hash of "
        "(replacing publish name, edge name)")


class Wave(_Strict):
    name: Name = Field(description="unique within the roll-out; rollout.promoted names it")
    selector: WaveSelector | None = Field(
        default=None, description="absent: every edge not in an earlier wave (only the last wave)")
    soak: Duration | None = Field(
        default=None, description="how long this wave runs before the next may be promoted, e.g. 2h, 1d")


class Rollout(_Strict):
    waves: list[Wave] = Field(min_length=1, description="ordered; an edge belongs to the first wave it matches")
    promoted: Name | None = Field(
        default=None, description="the last wave whose edges have moved; absent: none has moved yet")
    coverage: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list, json_schema_extra={"uniqueItems": True},
        description="label keys whose every value (held by an edge of a later wave) the first wave must include")


class PublishSpec(_Strict):
    pipeline: Name = Field(description="the Pipeline this publish snapshots")
    version: VersionName = Field(description="the pipeline version it publishes")
    replaces: list[Name] = Field(default_factory=list, json_schema_extra={"uniqueItems": True},
                                 description="publishes whose edge locations move to this one")
    deployment_config: DeploymentConfig = Field(
        default_factory=DeploymentConfig, alias="deploymentConfig",
        description="engine resources of the edge deployment; arch and accel default to the models' own")
    compatibility: Compatibility | None = Field(
        default=None, description="this publish's compatibility policy; default: the config's")
    acknowledge: list[Acknowledgement] = Field(
        default_factory=list, description="schema findings the author accepts, by rule and field")
    rollout: Rollout | None = Field(
        default=None, description="move the replaced publishes' edges in waves instead of all at once")


class EdgeLocationSpec(_Strict):
    publish: Name = Field(description="the publish the location was added to")
    tags: list[str] = Field(default_factory=list, description="free-form strings, as in Wallaroo")
    arch: Arch = Field(default=Arch.X86, description="the device's architecture; must match the publish's engine")
    accel: Accel = Field(default=Accel.NONE, description="the device's accelerator; must match the publish's engine")
    values: dict[str, Any] = Field(default_factory=dict, description="Helm value overrides, merged last")


class AssaySpec(_Strict):
    pipeline: Name = Field(description="the pipeline the assay watches")
    model: Name = Field(description="the model the assay watches")
    iopath: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="the watched input or output, e.g. output variable 0")


class OutputKind(StrEnum):
    HELM_VALUES = "helm-values"
    ARGOCD = "argocd"
    FLUX = "flux"
    #: One Argo CD ApplicationSet for the fleet (a hub Argo CD, one cluster per edge), fed by a git files
    #: generator over `edges/*/argocd-params.yaml`; an alternative to one Application per edge.
    ARGOCD_APPLICATIONSET = "argocd-applicationset"


#: What git accepts in an author's name and email (the one home of the rule; the deploy adapter uses these).
GIT_AUTHOR_NAME = r"^[^<>\r\n]+$"
GIT_AUTHOR_EMAIL = r"^[^<>\s]+$"


class GitAuthor(_Strict):
    name: Annotated[str, StringConstraints(min_length=1, pattern=GIT_AUTHOR_NAME)] = Field(
        description="the commit author's name")
    email: Annotated[str, StringConstraints(min_length=1, pattern=GIT_AUTHOR_EMAIL)] = Field(
        description="the commit author's email")


_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
# A dot-separated piece that is not `lock`: git refuses a ref component ending in `.lock`. Spelled without
# lookarounds so that every engine (ECMA, Rust regex, Python re) reads it alike.
_NOT_LOCK = (r"(?:[A-Za-z0-9_][A-Za-z0-9_-]{0,2}|[A-Za-z0-9_][A-Za-z0-9_-]{4,}|[A-Za-km-z0-9_][A-Za-z0-9_-]{3}"
             r"|l[A-Za-np-z0-9_-][A-Za-z0-9_-]{2}|lo[A-Zabd-z0-9_-][A-Za-z0-9_-]|loc[A-Za-jl-z0-9_-])")
_REF_COMPONENT = rf"{_SEGMENT}(?:(?:\.{_SEGMENT})*\.{_NOT_LOCK})?"
#: git ref-name rules: no leading '-', no '..', no '//', no '@{', no trailing '/' or '.', no component ending in
#: '.lock'. The one home of the rule: the schema uses it, and the deploy adapter checks with it.
BRANCH_PATTERN = rf"^{_REF_COMPONENT}(?:/{_REF_COMPONENT})*$"
# An OCI reference without its tag (distribution's reference grammar): a domain with an optional port, then
# lowercase path components joined by '.', '_', '__' or dashes. No '//', no trailing '/', no '..'.
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
REGISTRY_PATTERN = (rf"^(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9A-Fa-f:]+\])(?::[0-9]{{1,5}})?"
                    rf"(?:/{_PATH_PART})*$")
_NAME = rf"{_SEGMENT}(?:\.{_SEGMENT})*"  # a file or folder name: dots only between segments
#: A host name with an optional port, as Wallaroo's edge bundles carry OPSCENTER_HOST (no scheme, no path).
OPS_CENTER_HOST_PATTERN = rf"^{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]{{1,5}})?$"


class DeployRepo(_Strict):
    url: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="a git URL, or a path (relative to the spec root) to a repository")
    branch: Annotated[str, StringConstraints(pattern=BRANCH_PATTERN, max_length=200)] = Field(
        default="main", description="the branch compile commits to")
    # a folder inside the repository: relative, no '..', no hidden components such as .git
    path: Annotated[str, StringConstraints(pattern=rf"^(\.|{_NAME}(?:/{_NAME})*)$")] = Field(
        default=".", description="the folder inside the repository that edgec owns")
    author: GitAuthor | None = Field(default=None, description="the commits' author; default: git's own setting")
    timeout: Annotated[float, Field(gt=0, le=3600)] = Field(
        default=120.0, description="seconds one network git operation (fetch, push) may take before it fails")


_Seconds = Annotated[float, Field(gt=0, le=3600)]


class RegistryTimeouts(_Strict):
    """Seconds. connect: TCP and TLS handshake; write/read: the longest stall while sending/receiving."""

    connect: _Seconds = Field(default=10.0, description="seconds for the TCP and TLS handshake")
    read: _Seconds = Field(default=60.0, description="seconds of the longest stall while receiving")
    write: _Seconds = Field(default=60.0, description="seconds of the longest stall while sending")


class ConfigSpec(_Strict):
    registry: Annotated[str, StringConstraints(pattern=REGISTRY_PATTERN, max_length=255)] | None = Field(
        default=None, description="OCI repository prefix, e.g. localhost:5000/edge; absent: a local OCI layout "
        "under .edgec/oci")
    insecure_registry: bool = Field(default=False, alias="insecureRegistry",
                                    description="plain HTTP (loopback registries)")
    insecure_registry_credentials: bool = Field(
        default=False, alias="insecureRegistryCredentials",
        description="send credentials to a plain-HTTP registry that is not loopback (refused otherwise)")
    registry_timeouts: RegistryTimeouts = Field(
        default_factory=RegistryTimeouts, alias="registryTimeouts", description="bounds of every registry call")
    deploy_repo: DeployRepo | None = Field(
        default=None, alias="deployRepo", description="the deployment git repository; absent: a local repository "
        "under .edgec/deploy")
    engine_image: Annotated[str, StringConstraints(pattern=r"^[^\s@]+:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")] = Field(
        default="ghcr.io/wallaroolabs/fitzroy-mini:v2024.1.0", alias="engineImage",
        description="the engine image; edge arch and accel add their suffix (-aarch64, -cuda, -jetson, ...)"
    )
    compatibility: Compatibility = Field(
        default=Compatibility.BACKWARD, description="the default policy for replacements (SPEC section 3)")
    log_format: LogFormat = Field(
        default=LogFormat.ICEBERG_V2, alias="logFormat",
        description="table format of the inference-log table; its promotion rules judge log column changes")
    outputs: list[OutputKind] = Field(
        default_factory=lambda: [OutputKind.HELM_VALUES, OutputKind.ARGOCD, OutputKind.FLUX],
        json_schema_extra={"uniqueItems": True}, description="what the rendered tree holds per edge",
    )
    exclude: list[str] = Field(default_factory=list, description="glob patterns, relative to the spec root")
    source: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9+.-]*://[^\s]+$", max_length=500)] | None = Field(
        default=None, description="URL of this spec repository: the org.opencontainers.image.source annotation")
    ops_center_host: Annotated[str, StringConstraints(pattern=OPS_CENTER_HOST_PATTERN, max_length=253)] | None = Field(
        default=None, alias="opsCenterHost",
        description="the Wallaroo Ops center the edges report their inference logs to (OPSCENTER_HOST); each "
        "edge's first-install join token comes from a Kubernetes Secret, never from the specs")


_API_VERSION = "the spec format's version: edgec.dev/v1"
_KIND = "the kind of resource"
_METADATA = "name and labels"
_SPEC = "the resource's settings"


class _Resource(_Strict):
    api_version: Literal["edgec.dev/v1"] = Field(alias="apiVersion", description=_API_VERSION)
    metadata: Metadata = Field(description=_METADATA)


class ModelResource(_Resource):
    kind: Literal["Model"] = Field(description=_KIND)
    spec: ModelSpec = Field(description=_SPEC)


class PipelineResource(_Resource):
    kind: Literal["Pipeline"] = Field(description=_KIND)
    spec: PipelineSpec = Field(description=_SPEC)


class PublishResource(_Resource):
    kind: Literal["Publish"] = Field(description=_KIND)
    spec: PublishSpec = Field(description=_SPEC)


class EdgeLocationResource(_Resource):
    kind: Literal["EdgeLocation"] = Field(description=_KIND)
    spec: EdgeLocationSpec = Field(description=_SPEC)


class AssayResource(_Resource):
    kind: Literal["Assay"] = Field(description=_KIND)
    spec: AssaySpec = Field(description=_SPEC)


class ConfigResource(_Strict):
    api_version: Literal["edgec.dev/v1"] = Field(alias="apiVersion", description=_API_VERSION)
    kind: Literal["Config"] = Field(description=_KIND)
    metadata: Metadata | None = Field(default=None, description=_METADATA)
    spec: ConfigSpec = Field(default_factory=ConfigSpec, description="the compiler settings (SPEC section 5)")


#: kind name -> resource model, in the order the kinds are documented.
KINDS: dict[str, type[BaseModel]] = {
    "Model": ModelResource,
    "Pipeline": PipelineResource,
    "Publish": PublishResource,
    "EdgeLocation": EdgeLocationResource,
    "Assay": AssayResource,
    "Config": ConfigResource,
}


# --------------------------------------------------------------------------------------------------- trusted build
def construct_trusted(model: type[_M], data: Mapping[str, Any]) -> _M:
    """Build `model` from data that already passed the JSON Schema generated from these models.

    `model_validate` would first compile pydantic's core schemas: about 130 ms per process, a third of what a
    pre-commit run may take. The schema check has already proven the shape, so this walks the declared fields
    with `model_construct` (no validation), applying defaults, aliases and enum conversion. A test proves it
    builds exactly what `model_validate` builds.
    """
    values: dict[str, Any] = {}
    for name, key, annotation, default in _fields(model):
        if key in data:
            values[name] = _convert(annotation, data[key])
        elif default is not _REQUIRED:
            values[name] = default() if callable(default) else default
    return model.model_construct(**values)


_M = TypeVar("_M", bound=BaseModel)


_REQUIRED = object()


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, str, Any, Any], ...]:
    """(name, key in the document, annotation, default) per field; a default is a value or a factory to call.

    Resolved once per class: pydantic's `get_default` inspects the factory's signature on every call.
    """
    hints: dict[str, Any] | None = None
    out = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if annotation is None or isinstance(annotation, str | ForwardRef):  # unresolved at class creation
            hints = hints or get_type_hints(model, include_extras=False)
            annotation = hints[name]
        if info.is_required():
            default: Any = _REQUIRED
        elif info.default_factory is not None:
            default = info.default_factory
        else:
            default = info.default
            if callable(default):  # a callable default value (none today) must not be mistaken for a factory
                default = (lambda value: lambda: value)(default)
        out.append((name, info.alias or name, annotation, default))
    return tuple(out)


def _convert(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is list:
        (item,) = get_args(annotation)
        return [_convert(item, v) for v in value]
    if origin is dict:
        _, item = get_args(annotation)
        return {k: _convert(item, v) for k, v in value.items()}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return construct_trusted(annotation, value)
        if issubclass(annotation, Enum):
            return annotation(value)
        if annotation is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    return value
