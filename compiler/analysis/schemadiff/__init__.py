"""Schema diffs of a replacement: classify every change for inference clients and the inference-log table.

Pure functions over `SchemaField` values; no I/O. The rule table and the type order follow SCHEMA-RULES.md.
"""

from compiler.analysis.schemadiff.diff import (
    History,
    Schemas,
    diff_schemas,
    diff_transitive,
    log_schema,
    step_feed_findings,
)
from compiler.analysis.schemadiff.finding import Finding, Pointer, Role, acknowledgement, worst
from compiler.analysis.schemadiff.policy import (
    Verdict,
    apply_policy,
    failing_audiences,
    is_transitive,
    unused_acknowledgements,
)
from compiler.analysis.schemadiff.rules import RULES, RULES_BY_ID, Rule
from compiler.analysis.schemadiff.types import Order, compare, format_type, log_promotion_is_legal, widens

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Finding",
    "History",
    "Order",
    "Pointer",
    "Role",
    "Rule",
    "Schemas",
    "Verdict",
    "acknowledgement",
    "apply_policy",
    "compare",
    "diff_schemas",
    "diff_transitive",
    "failing_audiences",
    "format_type",
    "is_transitive",
    "log_promotion_is_legal",
    "log_schema",
    "step_feed_findings",
    "unused_acknowledgements",
    "widens",
    "worst",
]
