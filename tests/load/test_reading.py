"""Spec files are read only as regular files inside the spec root, and never past the size limit."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from compiler.cli.main import main
from compiler.load.spec_reading import read_spec_text
from tests.support_cases import materialise


def _refusal(path: Path, root: Path) -> tuple[str, str | None, int | None]:
    text, problem = read_spec_text(path, path.name, root=root)
    assert text is None and problem is not None
    return problem.code, problem.file, problem.line


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/proc/self/environ", "/etc/passwd"])
def test_symlinks_leaving_the_root_are_refused_unread(tmp_path: Path, device: str) -> None:
    link = tmp_path / "spec.yaml"
    link.symlink_to(device)
    assert _refusal(link, tmp_path) == ("path-escape", "spec.yaml", None)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    outcome: list[tuple[str, str | None, int | None]] = []
    reader = threading.Thread(target=lambda: outcome.append(_refusal(fifo, tmp_path)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert outcome == [("not-regular-file", "spec.yaml", None)]


def test_a_device_named_directly_is_not_a_regular_file(tmp_path: Path) -> None:
    text, problem = read_spec_text(Path("/dev/zero"), "zero.yaml")
    assert text is None and problem is not None and problem.code == "not-regular-file"
    assert problem.message == "the spec file is a device, not a regular file"


def test_a_symlink_inside_the_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    assert read_spec_text(tmp_path / "link.yaml", "link.yaml", root=tmp_path) == ("a: 1\n", None)


def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"a: 1\nname: caf\xe9\n")
    _, problem = read_spec_text(tmp_path / "latin1.yaml", "latin1.yaml")
    assert problem is not None and (problem.code, problem.line, problem.column) == ("yaml-syntax", 2, 10)


def test_validate_refuses_hostile_spec_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise("validate", "_base", tmp_path / "root")
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (root / "specs" / "leak.yaml").symlink_to(secret)
    (root / "specs" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(root / "specs" / "pipe.yaml")
    code = main(["validate", "--root", str(root), "--no-color"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[:-1:2] == [
        "specs/leak.yaml: error[path-escape] the spec file is a symlink to a file outside the spec root",
        "specs/pipe.yaml: error[not-regular-file] the spec file is a FIFO, not a regular file",
        "specs/zero.yaml: error[path-escape] the spec file is a symlink to a file outside the spec root",
    ]
    assert "hunter2" not in out
