"""The ids of the schema-change rules (SCHEMA-RULES.md), in the order of its table.

The spec stage needs them for `acknowledge[].rule` (an enum in the JSON Schema, so editors complete it) and the
analysis stage's rule table (`compiler.analysis.schemadiff.rules.RULES`) gives each its verdicts; spec cannot
import analysis, so the list lives here and a test proves it equals the table.
"""

from __future__ import annotations

RULE_IDS: tuple[str, ...] = (
    "FIELD_ADDED_OPTIONAL",
    "FIELD_ADDED_REQUIRED",
    "FIELD_REMOVED",
    "FIELD_RENAME_CANDIDATE",
    "FIELD_NAME_REUSED",
    "TYPE_WIDENED",
    "TYPE_WIDENED_LOSSY",
    "TYPE_NARROWED",
    "TYPE_CHANGED",
    "NULLABILITY_RELAXED",
    "NULLABILITY_TIGHTENED",
    "TENSOR_RANK_CHANGED",
    "TENSOR_DIM_RELAXED",
    "TENSOR_DIM_CONSTRAINED",
    "TENSOR_DIM_SIZE_CHANGED",
    "TENSOR_RESHAPED_SAME_NUMEL",
    "DECIMAL_SCALE_CHANGED",
    "METADATA_CHANGED",
)
