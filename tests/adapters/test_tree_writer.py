"""write_tree: exact contents, stale files removed, escapes refused, atomic on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.adapters.tree_writer import write_tree
from compiler.diagnostics import EdgecError


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def test_writes_exactly_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"PLAN.md": b"# plan\n", "edges/a/values.yaml": b"a: 1\n", "edges/b/values.yaml": b"b: 2\n"}
    write_tree(files, out)
    assert snapshot(out) == files
    assert (out / "edges/a/values.yaml").stat().st_mode & 0o777 == 0o644
    assert siblings(out) == []


def test_stale_files_of_removed_edges_are_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"edges/a/values.yaml": b"1", "edges/b/values.yaml": b"2", "PLAN.md": b"p"}, out)
    write_tree({"edges/b/values.yaml": b"3", "PLAN.md": b"p"}, out)
    assert snapshot(out) == {"edges/b/values.yaml": b"3", "PLAN.md": b"p"}
    assert not (out / "edges" / "a").exists()
    assert siblings(out) == []


def test_top_level_hidden_entries_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    (out / "stale.txt").write_bytes(b"old")
    write_tree({"edges/a/values.yaml": b"1"}, out)
    assert snapshot(out) == {".git/HEAD": b"ref: refs/heads/main\n", "edges/a/values.yaml": b"1"}


def test_deterministic(tmp_path: Path) -> None:
    files = {f"edges/e{i}/values.yaml": str(i).encode() for i in range(20)}
    write_tree(files, tmp_path / "one")
    write_tree(dict(reversed(list(files.items()))), tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two") == files


@pytest.mark.parametrize(
    "name", ["../evil", "/etc/passwd", "edges/../../evil", "edges//x", "./x", "", "a\\b", "edges/x/.."]
)
def test_escaping_paths_are_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    write_tree({"keep.txt": b"old"}, out)
    with pytest.raises(EdgecError) as info:
        write_tree({"ok.txt": b"x", name: b"evil"}, out)
    assert info.value.diagnostic.code == "path-escape"
    assert snapshot(out) == {"keep.txt": b"old"}
    assert not (tmp_path / "evil").exists()
    assert siblings(out) == []


def test_file_and_folder_collision_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EdgecError):
        write_tree({"edges/a": b"x", "edges/a/values.yaml": b"y"}, tmp_path / "out")


def test_a_failed_write_leaves_the_old_tree_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".git").mkdir(parents=True)
    write_tree({"edges/a/values.yaml": b"old", "PLAN.md": b"old plan"}, out)
    before = snapshot(out)
    too_long = "edges/" + "x" * 300 + "/values.yaml"  # ENAMETOOLONG midway through the write
    with pytest.raises(EdgecError) as info:
        write_tree({"PLAN.md": b"new plan", "edges/b/values.yaml": b"new", too_long: b"boom"}, out)
    assert info.value.diagnostic.code == "io-error"
    assert snapshot(out) == before
    assert (out / ".git").is_dir()
    assert siblings(out) == []


def test_an_output_path_that_is_a_file_is_an_io_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"x")
    with pytest.raises(EdgecError) as info:
        write_tree({"a": b"1"}, target)
    assert info.value.diagnostic.code == "io-error"
    assert target.read_bytes() == b"x"
