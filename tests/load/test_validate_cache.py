"""The validate cache replays a result only when every input is unchanged; any change is a miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.analysis.analyze import Analysis, analyze
from compiler.load import validate_cache
from compiler.load.validate_cache import CACHE_FILE, Outcome, validate_cached

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "house-price"


class Counting:
    """The real `analyze`, counting its calls (a hit must not call it)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, root: Path) -> Analysis:
        self.calls += 1
        return analyze(root)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    target = tmp_path / "specs-root"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".edgec"))
    return target


def twice(root: Path) -> tuple[Outcome, Outcome, Counting]:
    run = Counting()
    return validate_cached(root, run), validate_cached(root, run), run


def test_second_run_with_nothing_changed_is_a_hit_with_the_same_result(root: Path) -> None:
    cold, warm, run = twice(root)
    assert (cold.cached, warm.cached, run.calls) == (False, True, 1)
    assert warm.diagnostics == cold.diagnostics and warm.files == cold.files == 5
    assert [d.hint for d in warm.diagnostics] == [d.hint for d in cold.diagnostics]
    assert (root / CACHE_FILE).is_file()


def test_errors_are_replayed_not_hidden(root: Path) -> None:
    edges = root / "specs" / "edges.yaml"
    edges.write_text(edges.read_text().replace("publish: pub ", "publish: nowhere "))
    cold, warm, run = twice(root)
    assert run.calls == 1 and warm.cached
    assert [d.code for d in cold.diagnostics] == ["unknown-reference"]
    assert warm.diagnostics == cold.diagnostics
    assert warm.diagnostics[0].hint == cold.diagnostics[0].hint and warm.diagnostics[0].line is not None


def test_an_edit_is_a_miss(root: Path) -> None:
    validate_cached(root, Counting())
    edges = root / "specs" / "edges.yaml"
    stat = edges.stat()
    edges.write_text(edges.read_text().replace("publish: pub ", "publish: nowhere "))
    os.utime(edges, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the bytes decide
    run = Counting()
    outcome = validate_cached(root, run)
    assert run.calls == 1 and not outcome.cached
    assert [d.code for d in outcome.diagnostics] == ["unknown-reference"]


def test_a_rename_is_a_miss(root: Path) -> None:
    validate_cached(root, Counting())
    (root / "specs" / "edges.yaml").rename(root / "specs" / "edges-renamed.yaml")
    run = Counting()
    outcome = validate_cached(root, run)
    assert run.calls == 1 and not outcome.cached
    assert {d.file for d in outcome.diagnostics} == set()  # same documents, clean, under the new name


def test_a_new_file_a_deleted_file_and_a_config_change_are_misses(root: Path) -> None:
    validate_cached(root, Counting())
    (root / "specs" / "extra.yaml").write_text("kind: Nope\n")
    run = Counting()
    assert validate_cached(root, run).diagnostics and run.calls == 1
    (root / "specs" / "extra.yaml").unlink()
    assert not validate_cached(root, run).cached and run.calls == 2
    config = root / "edgec.yaml"
    config.write_text(config.read_text().replace("BACKWARD", "FULL"))
    assert not validate_cached(root, run).cached and run.calls == 3
    assert validate_cached(root, run).cached and run.calls == 3


def test_a_missing_artifact_is_a_miss(root: Path) -> None:
    validate_cached(root, Counting())
    (root / "models" / "rf_model.onnx").unlink()
    outcome = validate_cached(root, Counting())
    assert not outcome.cached and [d.code for d in outcome.diagnostics] == ["artifact-missing"]


def test_another_edgec_version_is_a_miss(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_cached(root, Counting())
    monkeypatch.setattr(validate_cache, "__version__", "99.0.0")
    run = Counting()
    assert not validate_cached(root, run).cached and run.calls == 1


def test_another_schema_is_a_miss(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validate_cached(root, Counting())
    other = tmp_path / "other.schema.json"
    other.write_text(json.dumps({"$id": "another schema"}))
    monkeypatch.setattr(validate_cache, "schema_path", lambda: other)
    run = Counting()
    assert not validate_cached(root, run).cached and run.calls == 1


def test_a_changed_source_file_of_edgec_is_a_miss(root: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "sub" / "module.py").write_text("x = 1\n")
    monkeypatch.setattr(validate_cache, "_PACKAGE", package)
    validate_cached(root, Counting())
    (package / "sub" / "module.py").write_text("x = 22\n")
    run = Counting()
    assert not validate_cached(root, run).cached and run.calls == 1


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 1}', b'{"format": 1, "tool": 3}', b"[]"])
def test_a_corrupt_cache_is_a_miss(root: Path, content: bytes) -> None:
    validate_cached(root, Counting())
    (root / CACHE_FILE).write_bytes(content)
    run = Counting()
    assert not validate_cached(root, run).cached and run.calls == 1
    assert validate_cached(root, run).cached  # and the entry is written again


def test_a_cache_entry_with_another_key_is_a_miss(root: Path) -> None:
    validate_cached(root, Counting())
    entry = json.loads((root / CACHE_FILE).read_text())
    entry["diagnostics"] = [{"severity": "error", "code": "schema", "message": "forged"}]
    entry["key"] = "0" * 64
    (root / CACHE_FILE).write_text(json.dumps(entry))
    outcome = validate_cached(root, Counting())
    assert not outcome.cached and outcome.diagnostics == []


def test_an_unwritable_cache_folder_runs_uncached(root: Path) -> None:
    (root / ".edgec").write_text("a file where the folder would go")
    cold, warm, run = twice(root)
    assert (cold.cached, warm.cached, run.calls) == (False, False, 2)


def test_the_cli_prints_the_same_text_and_exit_code_from_the_cache(root: Path) -> None:
    edges = root / "specs" / "edges.yaml"
    edges.write_text(edges.read_text().replace("publish: pub ", "publish: pubb "))
    argv = [sys.executable, "-m", "compiler", "validate", "--root", str(root), "--no-color"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cold = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    warm = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert cold.returncode == warm.returncode == 1
    assert warm.stdout == cold.stdout and "unknown-reference" in cold.stdout and "did you mean" in cold.stdout
    heavy = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "validate", "--root", str(root),
                            "-q"], capture_output=True, text=True, env=env, check=False)
    assert heavy.returncode == 1 and "unknown-reference" in heavy.stdout
    assert "pydantic" not in heavy.stderr and "jsonschema" not in heavy.stderr  # a hit imports neither


def test_a_fifo_or_device_named_as_a_spec_file_is_never_opened(root: Path) -> None:
    os.mkfifo(root / "specs" / "pipe.yaml")
    (root / "specs" / "zero.yaml").symlink_to("/dev/zero")
    cold, warm, run = twice(root)  # would block on the FIFO or read /dev/zero forever if hashed by content
    assert run.calls == 1 and warm.cached and warm.diagnostics == cold.diagnostics
    assert {d.file for d in cold.diagnostics} == {"specs/pipe.yaml", "specs/zero.yaml"}
    (root / "specs" / "zero.yaml").unlink()
    assert not validate_cached(root, run).cached and run.calls == 2
