"""The edge-transfer graph (SPEC section 2): the replacement forest, where every edge runs and logs, and what
each replacement moves and silences. Pure: `build_graph` reads a `Specs` value and returns values.

Cost is linear in publishes + edges (plus sorting names): every publish's history is an immutable linked
list (`Chain`) that shares its tail with the publish that replaced it, so an edge added anywhere on a
1,000-long chain costs O(1); a replacement's moved edges are a slice of one array of edges laid out in
depth-first order of the forest (the subtree of the replaced publish is contiguous), so no chain is walked per
edge and no edge is listed per replacement until a printer asks.

Decisions where SPEC section 2 is silent:
- replace-conflict: of several publishes replacing one publish, the first by name keeps it; each other one gets
  the diagnostic (at its `replaces` item), so the result does not depend on file layout.
- replace-cycle: reported once per cycle, at the `replaces` item of the cycle's smallest publish name, printed
  in the direction edges move (`a -> b` = b replaces a); the cycle's links are dropped so the rest can be
  analysed without follow-up warnings.
- logPipelines: the distinct pipelines of an edge's history, in order of first appearance.
- Assay rule: replacement P replaces Q moves edges whose traffic ran through (pipeline(Q), m) for every model m
  of Q's version. An assay keyed (pipeline(Q), m) is paused when that traffic no longer reaches the key: P is
  another pipeline, or P's version does not run m. Its successor key is (pipeline(P), the model at m's step
  position in P's version, clamped to the last step). A replacement that moves no edge silences nothing.
- Roll-outs (SPEC section 7): the link from Q to its replacer P is taken only by the edges of P's promoted waves;
  an edge that does not take it stays on Q (its history ends there). A roll-out's edges are every edge of the
  subtrees of the publishes P replaces, whether or not an earlier roll-out below has let them reach P yet, so
  its waves and checks do not change as the roll-outs below it progress. Cost: one wave lookup per edge and
  roll-out on its way (links without a roll-out are jumped over), so linear in publishes plus edges for any
  fixed number of roll-outs in one chain. A replacement's moved edges are the replaced subtree minus the edges
  held inside it, both spans of depth-first layouts, so still no edge is listed per replacement.
- Assays under a roll-out: paused only when the roll-out's last non-empty wave is promoted (action `pending`
  with the wave until then).
- orphan-publish: a publish whose `replaces` is empty, that nothing replaces and that no edge was added to (a
  publish waiting for its first edges is legitimate, hence a warning). A replaced publish
  whose subtree carries no edge is `empty-replacement` instead (reported at the replacer's `replaces` item).
"""

from compiler.analysis.graph.build import build_graph
from compiler.analysis.graph.checks import engine_platform, feed_problems
from compiler.analysis.graph.values import (
    AssayPause,
    Chain,
    EdgeNode,
    EdgeSet,
    Kind,
    PipelineNode,
    PublishNode,
    Replacement,
    RolloutNode,
    Side,
    TransferGraph,
    WaveNode,
)

__all__ = [
    "AssayPause",
    "Chain",
    "EdgeNode",
    "EdgeSet",
    "Kind",
    "PipelineNode",
    "PublishNode",
    "Replacement",
    "RolloutNode",
    "Side",
    "TransferGraph",
    "WaveNode",
    "build_graph",
    "engine_platform",
    "feed_problems",
]
