"""Peak memory of pushing a large model, next to oras-py pushing the same file to the same registry.

    python bench/push_memory.py               # a 1 GiB model (sparse file), ~1-2 min on 2 cores
    python bench/push_memory.py --size-mb 300

Each measurement runs in its own Python process and reports its peak RSS (`resource.getrusage`, ru_maxrss):
- `edgec` building the pipeline artifact (one hashing pass) and pushing it to a local OCI layout;
- `edgec` pushing it to a real docker-registry (chunked PATCH uploads), when `docker-registry` is installed;
- `oras-py` `push` of the same file to the same registry (the named peer);
- a process that only reads the file whole (`Path.read_bytes()`, what edgec did before blobs streamed);
- `edgec` building the artifacts of 100 versions sharing one 10 MiB model (issue 18: was 1.05 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _artifact(work: Path, model: Path, version: str = "v1"):  # type: ignore[no-untyped-def]
    from compiler.assemble.artifact_builders import ModelLayers, pipeline_artifact
    from compiler.spec.model import DeploymentConfig, ModelSpec, PipelineVersion

    schema = [{"name": "x", "type": "float32"}]
    models = {"big": ModelSpec.model_validate({"framework": "onnx", "artifact": str(model),
                                               "inputSchema": schema, "outputSchema": schema})}
    steps = PipelineVersion.model_validate({"name": version, "steps": [{"model": "big"}]})
    return pipeline_artifact("bench", steps, models, {"big": model}, DeploymentConfig.model_validate({}),
                             engine={}, layers=_LAYERS.setdefault("layers", ModelLayers()))


_LAYERS: dict[str, object] = {}


def child(mode: str, work: Path, model: Path, registry: str) -> dict[str, float]:
    if mode == "read-whole":
        data = model.read_bytes()
        assert len(data) == model.stat().st_size
    elif mode == "edgec-layout":
        from compiler.adapters.oci.layout import LayoutStore

        LayoutStore(work / "oci").push(_artifact(work, model))
    elif mode == "edgec-registry":
        from compiler.adapters.oci.registry import RegistryStore

        RegistryStore(registry, insecure=True).push(_artifact(work, model))
    elif mode == "oras-py":
        import oras.client

        os.chdir(model.parent)
        client = oras.client.OrasClient(hostname=registry, insecure=True)
        client.push(target=f"{registry}/peer/bench:v1", files=[model.name])
    elif mode == "edgec-100-versions":
        artifacts = [_artifact(work, model, f"v{i}") for i in range(100)]
        assert len({a.digest for a in artifacts}) == 100
    else:
        raise SystemExit(f"unknown mode {mode}")
    return {"peak_mb": _peak_mb()}


def measure(mode: str, work: Path, model: Path, registry: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, __file__, "--child", mode, str(work), str(model), registry],
                         capture_output=True, text=True, env=env, check=False)
    if run.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{run.stderr[-2000:]}")
    return float(json.loads(run.stdout.strip().splitlines()[-1])["peak_mb"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "WORK", "MODEL", "REGISTRY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, work, model, registry = args.child
        print(json.dumps(child(mode, Path(work), Path(model), registry)))
        return

    with tempfile.TemporaryDirectory(prefix="edgec-bench-") as tmp:
        work = Path(tmp)
        model = work / "model.bin"
        with open(model, "wb") as handle:  # sparse: no disk, but every byte is read and hashed
            handle.truncate(args.size_mb << 20)
        small = work / "small.bin"
        small.write_bytes(os.urandom(10 << 20))
        rows: list[tuple[str, float]] = [
            ("python: Path.read_bytes() of the model (the old way)", measure("read-whole", work, model, "")),
            ("edgec: build + push to a local OCI layout", measure("edgec-layout", work, model, "")),
        ]
        server = None
        try:
            sys.path.insert(0, str(REPO))
            from tests.support.registry import RegistryServer, registry_binary

            if registry_binary() is not None:
                server = RegistryServer(work / "registry").start()
                rows.append(("edgec: build + push to docker-registry (8 MiB chunks)",
                             measure("edgec-registry", work, model, server.registry)))
                try:
                    rows.append(("oras-py 0.2: push of the same file to the same registry",
                                 measure("oras-py", work, model, server.registry)))
                except SystemExit as exc:
                    print(f"(oras-py peer not measured: {str(exc).splitlines()[0]})")
        finally:
            if server is not None:
                server.stop()
        rows.append(("edgec: 100 versions sharing one 10 MiB model (build only)",
                     measure("edgec-100-versions", work, small, "")))
    print(f"peak RSS, model of {args.size_mb} MiB")
    for label, peak in rows:
        print(f"  {label:<60} {peak:8.0f} MB")


if __name__ == "__main__":
    main()
