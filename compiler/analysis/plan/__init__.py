"""The plan (SPEC section 4): what a compile would change, as values with a stable JSON form."""

from compiler.analysis.plan.build import Checks, build_plan
from compiler.analysis.plan.values import AssayPlan, ClientImpact, Plan, PublishInfo, ReplacementPlan, Summary

__all__ = [
    "AssayPlan",
    "Checks",
    "ClientImpact",
    "Plan",
    "PublishInfo",
    "ReplacementPlan",
    "Summary",
    "build_plan",
]
