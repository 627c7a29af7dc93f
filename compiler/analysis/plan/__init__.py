"""The plan (SPEC section 4): what a compile would change, as values with a stable JSON form."""

from compiler.analysis.plan.build import FindingsFor, InputChanges, build_plan, no_findings, plain_input_changes
from compiler.analysis.plan.values import AssayPlan, ClientImpact, Plan, PublishInfo, ReplacementPlan, Summary

__all__ = [
    "AssayPlan",
    "ClientImpact",
    "FindingsFor",
    "InputChanges",
    "Plan",
    "PublishInfo",
    "ReplacementPlan",
    "Summary",
    "build_plan",
    "no_findings",
    "plain_input_changes",
]
