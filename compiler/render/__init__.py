"""Rendering: the edge Helm chart, the per-edge GitOps files, PLAN.md, and the atomic tree writer.

Everything here is pure except `write_tree` (and `package_chart`, which reads the chart source shipped with
edgec). Nothing reads the environment.
"""

from compiler.render.chart import package_chart
from compiler.render.files import render_edge_files, render_plan_md
from compiler.render.tree import write_tree
from compiler.render.values import EdgeRelease, deep_merge, helm_values

__all__ = [
    "EdgeRelease",
    "deep_merge",
    "helm_values",
    "package_chart",
    "render_edge_files",
    "render_plan_md",
    "write_tree",
]
