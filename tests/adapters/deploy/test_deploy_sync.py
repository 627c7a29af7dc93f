"""sync against a real bare remote: one commit per change, none otherwise, ownership of managed files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest

from compiler.adapters.deploy import DeployState, DeployTarget, GitDeployRepository, Rendered
from compiler.diagnostics import EdgecError, fail

from .gitutil import MESSAGE, build, fsck, history, push_files, tree

FILES = {
    "edges/a/values.yaml": b"edge: a\n",
    "edges/a/application.yaml": b"kind: Application\n",
    "plan.json": b"{}\n",
    "PLAN.md": b"# Plan\n",
    "edgec.lock.json": b'{"pub": "sha256:0"}\n',
}


def deploy(remote: Path, tmp_path: Path, **kwargs: object) -> GitDeployRepository:
    return GitDeployRepository(DeployTarget(cache_dir=tmp_path / "cache", url=str(remote), **kwargs))  # type: ignore[arg-type]


def trailer(repo_path: Path, key: str) -> str:
    out = subprocess.run(["git", "log", "-1", f"--format=%(trailers:key={key},valueonly)", "main"],
                         cwd=repo_path, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def test_first_sync_makes_one_commit_with_tree_author_and_trailers(remote: Path, tmp_path: Path) -> None:
    result = deploy(remote, tmp_path).sync(build(FILES))

    commits = history(remote)
    assert len(commits) == 1 and result.commit == commits[0].hexsha
    assert tree(remote) == FILES
    assert (commits[0].author.name, commits[0].author.email) == ("edgec", "edgec@localhost")
    assert (commits[0].committer.name, commits[0].committer.email) == ("edgec", "edgec@localhost")
    assert commits[0].message == MESSAGE  # '#' lines kept, trailers last
    assert trailer(remote, "Source-Commit") == "0123456789abcdef0123456789abcdef01234567"
    assert trailer(remote, "Edgec-Version") == "0.1.0"
    assert result.changed_files == tuple(sorted(FILES)) and result.attempts == 1
    assert (result.branch, result.url) == ("main", str(remote))
    fsck(remote)


def test_identical_files_make_no_commit(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    first = repo.sync(build(FILES))
    again = repo.sync(build(FILES, "another message\n"))
    assert again.commit is None and not again.changed and again.changed_files == ()
    assert [c.hexsha for c in history(remote)] == [first.commit]


def test_changed_files_make_exactly_one_commit(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    repo.sync(build(FILES))
    changed = {**FILES, "plan.json": b'{"v": 2}\n', "edges/b/values.yaml": b"edge: b\n"}
    result = repo.sync(build(changed))
    assert len(history(remote)) == 2
    assert result.changed_files == ("edges/b/values.yaml", "plan.json")
    assert tree(remote) == changed


def test_removed_edge_files_are_deleted(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    repo.sync(build({**FILES, "edges/b/values.yaml": b"edge: b\n", "edges/b/helmrelease.yaml": b"kind: HR\n"}))
    result = repo.sync(build(FILES))
    assert tree(remote) == FILES
    assert result.changed_files == ("edges/b/helmrelease.yaml", "edges/b/values.yaml")


def test_unmanaged_files_survive(remote: Path, tmp_path: Path) -> None:
    unmanaged = {
        "README.md": b"ours\n",
        "infra/edges/x/values.yaml": b"not edgec's\n",
        "edges.md": b"a file next to edges/\n",
        "plan.json.bak": b"old\n",
        ".gitignore": b"*.json\n*.md\n",  # even a hostile ignore file does not stop edgec's own files
    }
    push_files(remote, {**unmanaged, "edges/old/values.yaml": b"stale\n"}, work=tmp_path)
    repo = deploy(remote, tmp_path)
    repo.sync(build(FILES))
    repo.sync(build({**FILES, "plan.json": b"[]\n"}))
    assert tree(remote) == {**unmanaged, **FILES, "plan.json": b"[]\n"}


def test_state_exposes_the_previous_compile(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    seen: list[tuple[str | None, bytes | None, bytes | None]] = []

    def render(state: DeployState) -> Rendered:
        seen.append((state.head, state.read("edgec.lock.json"), state.read("edges/none/values.yaml")))
        return Rendered(FILES, MESSAGE)

    first = repo.sync(render)
    repo.sync(render)
    assert seen == [(None, None, None), (first.commit, FILES["edgec.lock.json"], None)]
    assert repo.current().head == first.commit
    assert repo.current().read("plan.json") == FILES["plan.json"]


def test_sub_folder_path(remote: Path, tmp_path: Path) -> None:
    others = {
        "clusters/staging/edges/x/values.yaml": b"staging\n",  # same layout, other folder: not ours
        "clusters/prod/README.md": b"prod notes\n",  # inside our folder but not managed
        "edges/root/values.yaml": b"repository root, not ours\n",
    }
    push_files(remote, others, work=tmp_path)
    repo = deploy(remote, tmp_path, path="clusters/prod/")
    repo.sync(build({**FILES, "edges/b/values.yaml": b"b\n"}))
    result = repo.sync(build(FILES))
    assert tree(remote) == {**others, **{f"clusters/prod/{k}": v for k, v in FILES.items()}}
    assert result.changed_files == ("edges/b/values.yaml",)  # relative to the path
    assert repo.current().read("plan.json") == FILES["plan.json"]


def test_branch_is_created_in_a_non_empty_remote(remote: Path, tmp_path: Path) -> None:
    push_files(remote, {"README.md": b"main branch\n"}, work=tmp_path)
    deploy(remote, tmp_path, branch="deploy/prod").sync(build(FILES))
    assert tree(remote, "deploy/prod") == FILES  # an orphan branch: only edgec's files
    assert len(history(remote, "deploy/prod")) == 1 and len(history(remote)) == 1


def test_local_default_mode(tmp_path: Path) -> None:
    local = tmp_path / "spec" / ".edgec" / "deploy"
    repo = GitDeployRepository(DeployTarget(cache_dir=local))
    first = repo.sync(build({**FILES, "edges/b/values.yaml": b"b\n"}))
    assert first.commit is not None and first.url == str(local)
    second = repo.sync(build(FILES))
    assert repo.sync(build(FILES)).commit is None

    assert sorted(p.name for p in local.iterdir()) == [".git", "PLAN.md", "edgec.lock.json", "edges", "plan.json"]
    assert not (local / "edges" / "b").exists()  # the removed edge's folder is gone from disk too
    assert (local / "edges/a/values.yaml").read_bytes() == FILES["edges/a/values.yaml"]
    with git.Repo(local) as r:
        assert [c.hexsha for c in r.iter_commits("main")] == [second.commit, first.commit]
        assert r.active_branch.name == "main" and not r.is_dirty(untracked_files=True)
        assert r.remotes == []


def loose_object_types(repo_path: Path) -> list[str]:
    """The type of every loose object of a checkout."""
    objects = repo_path / ".git" / "objects"
    names = [f"{d.name}{f.name}" for d in objects.iterdir() if len(d.name) == 2 for f in d.iterdir()]
    return [subprocess.run(["git", "cat-file", "-t", name], cwd=repo_path, check=True, capture_output=True,
                           text=True).stdout.strip() for name in names]


def test_written_files_are_stored_in_one_pack_and_their_stat_data_is_recorded(tmp_path: Path) -> None:
    """Blobs go into one pack (not one loose object file each), above git's `fastimport.unpackLimit` (100
    objects, under which fast-import writes loose objects); the commit records the files' stat data, so a
    recompile neither reads nor rewrites them."""
    local = tmp_path / "deploy"
    repo = GitDeployRepository(DeployTarget(cache_dir=local))
    files = {**FILES, **{f"edges/e{i}/values.yaml": b"edge: %d\n" % i for i in range(120)}}
    repo.sync(build(files))
    assert "blob" not in loose_object_types(local)
    assert len(list((local / ".git" / "objects" / "pack").glob("*.pack"))) == 1
    assert tree(local) == files
    debug = subprocess.run(["git", "ls-files", "--debug"], cwd=local, check=True, capture_output=True, text=True)
    assert "mtime: 0:0" not in debug.stdout and debug.stdout.count("mtime:") == len(files)
    before = {rel: (local / rel).stat().st_mtime_ns for rel in files}
    changed = {**files, "edges/e3/values.yaml": b"edge: moved\n"}
    assert repo.sync(build(changed)).changed_files == ("edges/e3/values.yaml",)
    assert loose_object_types(local).count("blob") == 1  # a small change: a loose object, as git writes it
    assert tree(local) == changed
    assert {rel for rel in files if (local / rel).stat().st_mtime_ns != before[rel]} == {"edges/e3/values.yaml"}
    fsck(local)


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_stored_blobs_have_the_ids_git_gives_them(tmp_path: Path, object_format: str) -> None:
    from compiler.adapters.deploy.gitrepo import _store_blobs

    subprocess.run(["git", "init", "-q", f"--object-format={object_format}", str(tmp_path)], check=True)
    blobs = [b"", b"edge: a\n", b"\x00binary\xff" * 1000, *(b"%d\n" % i for i in range(150))]
    with git.Repo(tmp_path) as repo:
        ids = _store_blobs(repo, blobs, sha256=object_format == "sha256")
    assert len(ids) == len(blobs) and all(len(oid) == (64 if object_format == "sha256" else 40) for oid in ids)
    for oid, data in zip(ids, blobs, strict=True):
        shown = subprocess.run(["git", "cat-file", "blob", oid], cwd=tmp_path, check=True, capture_output=True)
        assert shown.stdout == data
    fsck(tmp_path)


def test_stale_cache_state_never_leaks(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    repo.sync(build(FILES))
    cache = tmp_path / "cache"
    with git.Repo(cache) as c:  # an unpushed local commit and stray files, as a crashed run could leave
        (cache / "edges/junk").mkdir()
        (cache / "edges/junk/values.yaml").write_bytes(b"junk\n")
        c.git.add("-A")
        c.git.commit("-q", "-m", "local only")
    (cache / "edges/stray.yaml").write_bytes(b"untracked\n")
    (cache / "plan.json").write_bytes(b"modified\n")
    result = repo.sync(build({**FILES, "PLAN.md": b"# Plan 2\n"}))
    assert tree(remote) == {**FILES, "PLAN.md": b"# Plan 2\n"}
    assert result.changed_files == ("PLAN.md",)


def test_failing_build_leaves_the_remote_untouched(remote: Path, tmp_path: Path) -> None:
    repo = deploy(remote, tmp_path)
    first = repo.sync(build(FILES))

    def broken(state: DeployState) -> Rendered:
        raise fail("immutable-changed", "publish pub would change")

    with pytest.raises(EdgecError) as info:
        repo.sync(broken)
    assert info.value.diagnostic.code == "immutable-changed"
    assert [c.hexsha for c in history(remote)] == [first.commit]


def test_rendered_files_must_be_managed(remote: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside what edgec owns"):
        deploy(remote, tmp_path).sync(build({"README.md": b"x"}))
    with pytest.raises(ValueError, match="not a clean relative path"):
        deploy(remote, tmp_path).sync(build({"edges/../../etc/passwd": b"x"}))
    assert history(remote) == []


def test_symlinks_in_the_remote_never_redirect_writes(remote: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    push_files(remote, {}, symlinks={"edges": str(outside), "plan.json": str(outside / "plan.json")}, work=tmp_path)
    deploy(remote, tmp_path).sync(build(FILES))
    assert list(outside.iterdir()) == []
    assert tree(remote) == FILES


def test_symlinked_path_folder_is_an_error(remote: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    push_files(remote, {}, symlinks={"prod": str(outside)}, work=tmp_path)
    with pytest.raises(EdgecError, match="prod in the deployment repository is not a folder"):
        deploy(remote, tmp_path, path="prod").sync(build(FILES))
    assert list(outside.iterdir()) == []


def test_exported_git_dir_of_a_hook_does_not_redirect(remote: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "spec"
    with git.Repo.init(other, initial_branch="main") as spec:
        (other / "a.yaml").write_text("a: 1\n")
        spec.git.add("-A")
        spec.git.commit("-q", "-m", "spec")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # what git exports to a hook
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    deploy(remote, tmp_path).sync(build(FILES))
    assert tree(remote) == FILES
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert tree(other) == {"a.yaml": b"a: 1\n"}
    with git.Repo(other) as spec:
        assert spec.remotes == [] and len(list(spec.iter_commits())) == 1
