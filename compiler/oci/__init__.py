"""Publishing artifacts: OCI value types, the publish artifacts, and the stores (registry, local layout).

The compile pipeline builds artifacts with `publish` and hands them to an `ArtifactStore`; only
`compiler.oci.transport` talks to oras-py. Import the stores from their modules (`compiler.oci.registry`
imports oras lazily, on first request).
"""

from compiler.oci.artifact import Artifact, Blob
from compiler.oci.store import ArtifactStore, ProgressEvent, PushResult

__all__ = ["Artifact", "ArtifactStore", "Blob", "ProgressEvent", "PushResult"]
