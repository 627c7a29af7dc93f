"""The artifact stores: the `ArtifactStore` Protocol, the OCI registry and the local OCI layout.

The compile stage hands the artifacts built by `compiler.assemble` to an `ArtifactStore`; only
`compiler.adapters.oci.transport` talks to oras-py. Import the stores from their modules
(`compiler.adapters.oci.registry` imports oras lazily, on first request).
"""

from compiler.adapters.oci.store import ArtifactStore, ProgressEvent, PushResult
from compiler.assemble.oci_objects import Artifact, Blob

__all__ = ["Artifact", "ArtifactStore", "Blob", "ProgressEvent", "PushResult"]
