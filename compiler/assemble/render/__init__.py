"""Rendering: the edge Helm chart, the per-edge GitOps files and PLAN.md.

Pure, except that `package_chart` reads the chart source shipped with edgec. Nothing reads the environment; the
tree is written by `compiler.adapters.tree_writer`.
"""

from compiler.assemble.render.chart import package_chart
from compiler.assemble.render.files import render_edge_files
from compiler.assemble.render.plan_files import render_plan_md
from compiler.assemble.render.values import EdgeRelease, deep_merge, helm_values

__all__ = [
    "EdgeRelease",
    "deep_merge",
    "helm_values",
    "package_chart",
    "render_edge_files",
    "render_plan_md",
]
