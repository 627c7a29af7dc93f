"""write_tree: exact contents, only its own paths replaced, never a foreign file touched, escapes refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.adapters.tree_writer import MANIFEST, write_tree
from compiler.diagnostics import EdgecError


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def refused(files: dict[str, bytes], out: Path, **kwargs: Path) -> EdgecError:
    with pytest.raises(EdgecError) as info:
        write_tree(files, out, **kwargs)
    return info.value


def test_writes_exactly_the_files_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = {"PLAN.md": b"# plan\n", "edges/a/values.yaml": b"a: 1\n", "edges/b/values.yaml": b"b: 2\n"}
    write_tree(files, out)
    assert snapshot(out) == files
    assert json.loads((out / MANIFEST).read_text())["files"] == sorted(files)
    assert (out / "edges/a/values.yaml").stat().st_mode & 0o777 == 0o644
    assert siblings(out) == []


def test_stale_files_of_removed_edges_are_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"edges/a/values.yaml": b"1", "edges/b/values.yaml": b"2", "PLAN.md": b"p"}, out)
    write_tree({"edges/b/values.yaml": b"3", "PLAN.md": b"p"}, out)
    assert snapshot(out) == {"edges/b/values.yaml": b"3", "PLAN.md": b"p"}
    assert not (out / "edges" / "a").exists()
    assert siblings(out) == []


def test_files_added_by_hand_next_to_the_render_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"edges/a/values.yaml": b"1", "edges/b/values.yaml": b"2"}, out)
    (out / "README.md").write_bytes(b"mine")
    (out / "edges" / "a" / "notes.txt").write_bytes(b"mine too")
    write_tree({"edges/b/values.yaml": b"3"}, out)
    assert snapshot(out) == {"README.md": b"mine", "edges/a/notes.txt": b"mine too", "edges/b/values.yaml": b"3"}


def test_a_folder_edgec_never_wrote_is_refused_untouched(tmp_path: Path) -> None:
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    (out / "stale.txt").write_bytes(b"old")
    error = refused({"edges/a/values.yaml": b"1"}, out)
    assert error.diagnostic.code == "out-not-owned" and "did not render into it before" in error.diagnostic.message
    assert snapshot(out) == {"stale.txt": b"old"} and (out / ".git").is_dir() and siblings(out) == []


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    write_tree({"a": b"1"}, out)
    assert snapshot(out) == {"a": b"1"}


def test_a_foreign_file_in_the_way_is_refused_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"edges/a/values.yaml": b"1"}, out)
    (out / "PLAN.md").write_bytes(b"hand-written")
    error = refused({"edges/a/values.yaml": b"2", "PLAN.md": b"rendered"}, out)
    assert error.diagnostic.code == "out-not-owned" and "PLAN.md exists" in error.diagnostic.message
    assert snapshot(out) == {"edges/a/values.yaml": b"1", "PLAN.md": b"hand-written"}


@pytest.mark.parametrize("where", ["root", "parent", "inside"])
def test_the_spec_root_is_never_a_target(tmp_path: Path, where: str) -> None:
    root = tmp_path / "specs"
    (root / "specs").mkdir(parents=True)
    (root / "edgec.yaml").write_bytes(b"kind: Config\n")
    out = {"root": root, "parent": tmp_path, "inside": root / "rendered"}[where]
    before = snapshot(tmp_path)
    error = refused({"a": b"1"}, out, spec_root=root)
    assert error.diagnostic.code == "out-not-owned" and "spec root" in error.diagnostic.message
    assert snapshot(tmp_path) == before and not (root / "rendered").exists()


def test_deterministic(tmp_path: Path) -> None:
    files = {f"edges/e{i}/values.yaml": str(i).encode() for i in range(20)}
    write_tree(files, tmp_path / "one")
    write_tree(dict(reversed(list(files.items()))), tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two") == files
    assert (tmp_path / "one" / MANIFEST).read_bytes() == (tmp_path / "two" / MANIFEST).read_bytes()


@pytest.mark.parametrize(
    "name", ["../evil", "/etc/passwd", "edges/../../evil", "edges//x", "./x", "", "a\\b", "edges/x/..", MANIFEST]
)
def test_escaping_paths_are_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    write_tree({"keep.txt": b"old"}, out)
    assert refused({"ok.txt": b"x", name: b"evil"}, out).diagnostic.code == "path-escape"
    assert snapshot(out) == {"keep.txt": b"old"}
    assert not (tmp_path / "evil").exists()
    assert siblings(out) == []


def test_a_manifest_that_lists_a_path_outside_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"a": b"1"}, out)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (out / MANIFEST).write_text(json.dumps({"version": 1, "files": ["a", "../victim.txt"]}))
    assert refused({"b": b"2"}, out).diagnostic.code == "out-not-owned"
    assert victim.read_bytes() == b"precious" and snapshot(out) == {"a": b"1"}


def test_file_and_folder_collision_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EdgecError):
        write_tree({"edges/a": b"x", "edges/a/values.yaml": b"y"}, tmp_path / "out")


def test_a_failed_write_leaves_the_old_tree_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({"edges/a/values.yaml": b"old", "PLAN.md": b"old plan"}, out)
    before = snapshot(out)
    too_long = "edges/" + "x" * 300 + "/values.yaml"  # ENAMETOOLONG midway through staging
    error = refused({"PLAN.md": b"new plan", "edges/b/values.yaml": b"new", too_long: b"boom"}, out)
    assert error.diagnostic.code == "io-error"
    assert snapshot(out) == before
    assert siblings(out) == []


def test_an_output_path_that_is_a_file_is_an_io_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"x")
    assert refused({"a": b"1"}, target).diagnostic.code == "io-error"
    assert target.read_bytes() == b"x"
