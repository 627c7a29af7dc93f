"""The rule table of SCHEMA-RULES.md: one entry per rule id with its verdicts and a small pure handler.

`diff.py` pairs old and new fields by path and hands every `Pair` to every handler; a handler looks at
that one pair and returns the `Hit`s of its rule (usually none or one). `finding()` turns a hit into a
`Finding` with the verdicts of the table. A verdict of `None` in the table means "decided per change"
(TYPE_WIDENED's log verdict, DECIMAL_SCALE_CHANGED's client verdicts); the handler then supplies it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from compiler.analysis.schemadiff.finding import Finding, Pointer, Role
from compiler.analysis.schemadiff.log_tables import LOG_TABLES
from compiler.analysis.schemadiff.types import Order, compare, format_type
from compiler.diagnostics import Severity
from compiler.spec.model import DataType, FieldType, LogFormat, SchemaField

INFO, WARNING, ERROR = Severity.INFO, Severity.WARNING, Severity.ERROR


@dataclass(frozen=True)
class Pair:
    """One path with its old and new type; a side is None when the field is absent there."""

    role: Role
    path: str
    old: FieldType | None
    new: FieldType | None
    removed_siblings: tuple[SchemaField, ...] = ()  # fields of the same parent only on the old side
    earlier: FieldType | None = None  # the type this path had in the latest earlier version that held it
    old_pointer: Pointer | None = None  # where each side stands in its schema list
    new_pointer: Pointer | None = None
    log_format: LogFormat = LogFormat.ICEBERG_V2  # whose promotions judge the log column
    logged: bool = True  # False between two steps: nothing is logged there, every log verdict is info


@dataclass(frozen=True)
class Hit:
    """What a handler found; verdicts left None come from the table."""

    detail: str  # what changed; the finding's message starts with it
    clients: Severity | None = None
    log: Severity | None = None
    old: str | None = None  # rendered types; default: the pair's sides
    new: str | None = None
    log_note: str | None = None  # what the log format does with the column, when it decides the log verdict


Handler = Callable[[Pair], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    change: str  # the table's "change" column
    input: Severity | None
    output: Severity | None
    log: Severity | None
    handler: Handler
    fix: str | None = None  # how to avoid the change; shown in the hint of a warning or error
    warning: str | None = None  # what a warning verdict means, appended to the message


# --------------------------------------------------------------------------------------------------- handlers
def _both(p: Pair) -> tuple[FieldType, FieldType] | None:
    return (p.old, p.new) if p.old is not None and p.new is not None else None


def _is_scale_change(old: FieldType, new: FieldType) -> bool:
    return old.type is DataType.DECIMAL and new.type is DataType.DECIMAL and old.scale != new.scale


def _bare(t: FieldType) -> str:
    """The rendered type without top-level nullability, which has rules of its own."""
    return format_type(t.model_copy(update={"nullable": False}))


def _change(old: FieldType, new: FieldType) -> str:
    return f"{_bare(old)} -> {_bare(new)}"


def _of(role: Role) -> str:
    return "an input" if role == "input" else "an output"


def field_added_optional(p: Pair) -> Iterable[Hit]:
    if p.old is None and p.new is not None and p.new.nullable:
        yield Hit(f"new optional field ({format_type(p.new)})")


def field_added_required(p: Pair) -> Iterable[Hit]:
    if p.old is None and p.new is not None and not p.new.nullable:
        yield Hit(f"new required field ({format_type(p.new)})")


def field_removed(p: Pair) -> Iterable[Hit]:
    if p.old is not None and p.new is None:
        yield Hit(f"field removed ({format_type(p.old)})")


def field_rename_candidate(p: Pair) -> Iterable[Hit]:
    if p.old is not None or p.new is None:
        return
    rendered = format_type(p.new)
    names = sorted(f.name for f in p.removed_siblings if format_type(f) == rendered)
    if names:
        yield Hit(f"may be a rename of the removed {' or '.join(names)} (same type {rendered})", old=rendered)


def field_name_reused(p: Pair) -> Iterable[Hit]:
    if p.old is not None or p.new is None or p.earlier is None:
        return
    before, now = _bare(p.earlier), _bare(p.new)  # nullability alone does not change what a column holds
    if before != now:
        yield Hit(f"name removed earlier as {before} comes back as {now}", old=format_type(p.earlier))


def _by_log_format(p: Pair, old: FieldType, new: FieldType) -> tuple[Severity, str]:
    """The log verdict and note of a column type change, as the pipeline's log table format decides it."""
    table = LOG_TABLES[p.log_format]
    return (INFO if table.promotes(old, new) else ERROR), table.verdict_note(old, new)


def type_widened(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and compare(*both) is Order.WIDER and not _is_scale_change(*both):
        log, note = _by_log_format(p, *both)
        yield Hit(f"{_change(*both)} widens {_of(p.role)}", log=log, log_note=note)


def type_widened_lossy(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and compare(*both) is Order.LOSSY:
        yield Hit(f"{_change(*both)} widens {_of(p.role)} but may round values")


def type_narrowed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and compare(*both) is Order.NARROWER and not _is_scale_change(*both):
        yield Hit(f"{_change(*both)} narrows {_of(p.role)}")


def type_changed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and compare(*both) is Order.INCOMPARABLE and not _is_scale_change(*both):
        log, note = _by_log_format(p, *both)
        yield Hit(f"{_change(*both)} changes the type of {_of(p.role)}", log=log, log_note=note)


def decimal_scale_changed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and _is_scale_change(*both):
        order = compare(*both)
        if order is Order.WIDER:
            clients = INFO if p.role == "input" else ERROR
        elif order is Order.NARROWER:
            clients = ERROR if p.role == "input" else INFO
        else:
            clients = ERROR
        log, note = _by_log_format(p, *both)
        yield Hit(f"{_change(*both)} changes the decimal scale", clients=clients, log=log, log_note=note)


def nullability_relaxed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and not both[0].nullable and both[1].nullable:
        yield Hit(f"{_of(p.role)} becomes nullable")


def nullability_tightened(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and both[0].nullable and not both[1].nullable:
        yield Hit(f"{_of(p.role)} becomes non-nullable")


def _shapes(p: Pair) -> tuple[list[int], list[int]] | None:
    """Both shapes when they differ, are not a same-numel reshape, and have the same rank."""
    if not (both := _both(p)) or both[0].shape == both[1].shape or _is_reshape(*both):
        return None
    old, new = both[0].shape or [], both[1].shape or []
    return (old, new) if len(old) == len(new) else None


def _dynamic(shape: list[int]) -> tuple[int, ...]:
    return tuple(i for i, d in enumerate(shape) if d < 0)


def _fixed_numel(shape: list[int]) -> int:
    """The product of the fixed dimensions: the elements per item when the dynamic ones (a batch) are set aside."""
    n = 1
    for d in shape:
        n *= d if d >= 0 else 1
    return n


def _is_reshape(old: FieldType, new: FieldType) -> bool:
    """Another shape with the same fixed dimensions' product and the dynamic dimensions in the same positions
    (`[-1,2,6] -> [-1,3,4]`). A shape holding no element (a 0 dimension) is resized, never reshaped."""
    a, b = old.shape or [], new.shape or []
    if a == b or _dynamic(a) != _dynamic(b):
        return False
    n = _fixed_numel(a)
    return n > 0 and n == _fixed_numel(b)


def _dims(p: Pair, pick: Callable[[int, int], bool]) -> list[int]:
    shapes = _shapes(p)
    return [i for i, (a, b) in enumerate(zip(*shapes, strict=True)) if pick(a, b)] if shapes else []


def _shape_change(p: Pair, verb: str, dims: list[int]) -> Hit:
    assert p.old is not None and p.new is not None
    listed = ", ".join(str(d) for d in dims)
    return Hit(f"{_change(p.old, p.new)} {verb} dimension{'s' * (len(dims) > 1)} {listed}")


def tensor_rank_changed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and not _is_reshape(*both):
        old, new = both[0].shape or [], both[1].shape or []
        if len(old) != len(new):
            yield Hit(f"{_change(*both)} changes the rank {len(old)} -> {len(new)}")


def tensor_dim_relaxed(p: Pair) -> Iterable[Hit]:
    if dims := _dims(p, lambda a, b: a >= 0 and b < 0):
        yield _shape_change(p, "makes dynamic", dims)


def tensor_dim_constrained(p: Pair) -> Iterable[Hit]:
    if dims := _dims(p, lambda a, b: a < 0 and b >= 0):
        yield _shape_change(p, "fixes", dims)


def tensor_dim_size_changed(p: Pair) -> Iterable[Hit]:
    if dims := _dims(p, lambda a, b: a >= 0 and b >= 0 and a != b):
        yield _shape_change(p, "resizes", dims)


def tensor_reshaped_same_numel(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and _is_reshape(*both):
        shape = both[0].shape or []
        per_item = " per item" if _dynamic(shape) else ""
        yield Hit(f"{_change(*both)} reshapes {_fixed_numel(shape)} elements{per_item}")


def metadata_changed(p: Pair) -> Iterable[Hit]:
    if (both := _both(p)) and both[0].description != both[1].description:
        yield Hit("description changed")


# ------------------------------------------------------------------------------------------------- the table
RULES: tuple[Rule, ...] = (
    Rule("FIELD_ADDED_OPTIONAL", "new nullable field", INFO, INFO, INFO, field_added_optional),
    Rule("FIELD_ADDED_REQUIRED", "new non-nullable field", ERROR, INFO, INFO, field_added_required,
         fix="make the new field nullable, or keep the old version for clients that do not send it"),
    Rule("FIELD_REMOVED", "field removed", INFO, ERROR, WARNING, field_removed,
         fix="keep the field (it may be nullable)", warning="its log column stops being filled"),
    Rule("FIELD_RENAME_CANDIDATE", "hint next to a remove + add of the same type", INFO, INFO, INFO,
         field_rename_candidate),
    Rule("FIELD_NAME_REUSED", "a name removed earlier comes back with another type", ERROR, ERROR, ERROR,
         field_name_reused, fix="give the field a new name; its old log column has the old type"),
    Rule("TYPE_WIDENED", "old < new, lossless", INFO, ERROR, None, type_widened,
         fix="keep the old type, or add a field of the new type next to the old one"),
    Rule("TYPE_WIDENED_LOSSY", "int32->float32, int64->float64", WARNING, ERROR, ERROR, type_widened_lossy,
         fix="use a float type that holds the integer exactly (float64 for int32)",
         warning="large integer values may be rounded"),
    Rule("TYPE_NARROWED", "new < old", ERROR, INFO, INFO, type_narrowed,
         fix="keep the wider type and convert inside the model"),
    Rule("TYPE_CHANGED", "incomparable types", ERROR, ERROR, None, type_changed,
         fix="add a field of the new type under a new name instead"),
    Rule("NULLABILITY_RELAXED", "not null -> nullable", INFO, ERROR, WARNING, nullability_relaxed,
         fix="keep the field non-nullable", warning="its log column becomes nullable"),
    Rule("NULLABILITY_TIGHTENED", "nullable -> not null", ERROR, INFO, INFO, nullability_tightened,
         fix="keep the field nullable and default missing values inside the model"),
    Rule("TENSOR_RANK_CHANGED", "number of dimensions changed", ERROR, ERROR, ERROR, tensor_rank_changed,
         fix="keep the shape, or add a field of the new shape under a new name"),
    Rule("TENSOR_DIM_RELAXED", "fixed dimension -> -1", INFO, ERROR, WARNING, tensor_dim_relaxed,
         fix="keep the dimension fixed", warning="its log column takes tensors of varying size"),
    Rule("TENSOR_DIM_CONSTRAINED", "-1 -> fixed dimension", ERROR, INFO, INFO, tensor_dim_constrained,
         fix="keep the dimension dynamic (-1) and check the size inside the model"),
    Rule("TENSOR_DIM_SIZE_CHANGED", "fixed size k -> m", ERROR, ERROR, ERROR, tensor_dim_size_changed,
         fix="keep the size, or add a field of the new shape under a new name"),
    Rule("TENSOR_RESHAPED_SAME_NUMEL", "same element count, other shape ([2,6] -> [3,4])",
         ERROR, ERROR, ERROR, tensor_reshaped_same_numel, fix="keep the shape and reshape inside the model"),
    Rule("DECIMAL_SCALE_CHANGED", "decimal scale changed", None, None, None, decimal_scale_changed,
         fix="keep the scale; Iceberg log tables only let a decimal grow its precision"),
    Rule("METADATA_CHANGED", "description only", INFO, INFO, INFO, metadata_changed),
)  # fmt: skip

RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


# --------------------------------------------------------------------------------------------------- findings
def _notes(rule: Rule, role: Role, clients: Severity, log: Severity, log_note: str | None) -> list[str]:
    """What the verdicts mean, after the change itself; the log format is named where it decides the verdict."""
    out = []
    if clients is ERROR:
        out.append("existing clients' requests may fail" if role == "input" else "clients reading it may break")
    if log_note:
        out.append(log_note)
    elif log is ERROR and clients is not ERROR:
        out.append("the inference-log table cannot evolve its column this way")
    if not out and WARNING in (clients, log) and rule.warning:
        out.append(rule.warning)
    return out


def _fix(rule: Rule, clients: Severity, log: Severity) -> str | None:
    if rule.id == "FIELD_RENAME_CANDIDATE":
        return "edgec never infers renames: for clients and the log a rename is a removal plus an addition"
    return rule.fix if ERROR in (clients, log) or WARNING in (clients, log) else None


def finding(rule: Rule, pair: Pair, hit: Hit) -> Finding:
    declared = rule.input if pair.role == "input" else rule.output
    clients, log = hit.clients or declared, hit.log or rule.log
    if clients is None or log is None:
        raise ValueError(f"{rule.id}: the handler must decide the verdict the table leaves open")
    if not pair.logged:
        log = INFO
    notes = _notes(rule, pair.role, clients, log, hit.log_note if pair.logged else None)
    return Finding(
        rule=rule.id,
        role=pair.role,
        path=pair.path,
        clients=clients,
        log=log,
        old=hit.old if hit.old is not None else (format_type(pair.old) if pair.old else None),
        new=hit.new if hit.new is not None else (format_type(pair.new) if pair.new else None),
        message="; ".join([hit.detail, *notes]),
        fix=_fix(rule, clients, log),
        acknowledgeable=rule.id != "FIELD_RENAME_CANDIDATE" and ERROR in (clients, log),
        old_pointer=pair.old_pointer if pair.old is not None else None,
        new_pointer=pair.new_pointer if pair.new is not None else None,
    )


def classify(pair: Pair, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding of every rule for one pair."""
    return [finding(rule, pair, hit) for rule in rules for hit in rule.handler(pair)]
