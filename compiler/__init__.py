"""edgec: a GitOps compiler for in-line model updates on edge and multicloud fleets."""

__version__ = "0.1.0"
