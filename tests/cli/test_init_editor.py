"""`edgec init` writes a local editor association that works: checked with the real yaml-language-server (npm),
driven over stdio as an editor drives it, and with python-jsonschema for the files it points at."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from compiler.cli.starter import SCHEMA_COPY, write_starter
from compiler.resources import schema_path
from tests.support.yaml_ls import YamlLanguageServer, server_script

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _spec_files(root: Path) -> list[Path]:
    return sorted([root / "edgec.yaml", *root.glob("specs/**/*.y*ml")])


def _matches(pattern: str, path: Path) -> bool:
    """yaml-language-server's own glob rule (convertSimple2RegExpPattern): `*` is `.*`, matched at the end of the
    file URI."""
    regex = re.escape(pattern).replace(r"\*", ".*") + "$"
    return re.search(regex, path.as_uri()) is not None


def test_the_starter_carries_the_schema_and_settings_that_map_it_to_every_spec_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_starter(root)
    assert (root / SCHEMA_COPY).read_bytes() == schema_path().read_bytes()
    settings = json.loads((root / ".vscode" / "settings.json").read_text())
    ((schema_ref, globs),) = settings["yaml.schemas"].items()
    schema = json.loads((root / schema_ref).read_text())  # relative to the workspace root, as VS Code reads it
    validator = jsonschema.Draft202012Validator(schema)
    files = _spec_files(root)
    assert len(files) == 6
    for path in files:
        assert any(_matches(glob, path) for glob in globs), path
        assert not any(_matches(glob, root / ".pre-commit-config.yaml") for glob in globs)
        first = path.read_text().splitlines()[0]
        modeline = MODELINE.match(first)
        assert modeline, f"{path}: {first}"
        assert (path.parent / modeline.group(1)).resolve() == (root / SCHEMA_COPY).resolve()
        for document in yaml.safe_load_all(path.read_text()):
            assert list(validator.iter_errors(document)) == []
    assert "https://" not in "".join(p.read_text() for p in files)  # no URL that does not exist


# ----------------------------------------------------------------------------- the real yaml-language-server
@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[YamlLanguageServer, Path]]:
    script = server_script()
    if script is None:
        pytest.skip("no yaml-language-server (set EDGEC_YAML_LS, or run bash .ci/run)")
    root = tmp_path / "repo"
    write_starter(root)
    vscode = json.loads((root / ".vscode" / "settings.json").read_text())
    settings = {"yaml": {"schemas": vscode["yaml.schemas"], "validate": True, "hover": True, "completion": True,
                         "schemaStore": {"enable": False}}}
    ls = YamlLanguageServer(script, root, settings)
    try:
        yield ls, root
    finally:
        ls.close()


def _errors(ls: YamlLanguageServer, path: Path, text: str) -> list[dict[str, object]]:
    found = ls.diagnostics(path, text)
    for _ in range(5):  # the first publish may come before the schema is read
        if found:
            break
        found = list(ls.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == path.as_uri())["params"]["diagnostics"])
    return found


@pytest.mark.integration
def test_the_settings_alone_reach_every_document_of_a_spec_file(server: tuple[YamlLanguageServer, Path]) -> None:
    ls, root = server
    edge = root / "specs" / "edge.yaml"
    text = "\n".join(edge.read_text().splitlines()[1:]) + "\n"  # no modeline: only .vscode/settings.json maps it
    second = text.replace("my-first-edge", "second-edge").replace("tags: [lab]", "tags: [lab]\n  arch: risc")
    diagnostics = _errors(ls, edge, text + "---\n" + second)
    assert diagnostics, "no diagnostic for arch: risc"
    (bad,) = diagnostics
    assert bad["range"]["start"]["line"] == text.count("\n") + 1 + second.splitlines().index("  arch: risc")
    assert "x86" in str(bad["message"])  # the enum's values are named


@pytest.mark.integration
def test_the_starter_files_are_clean_and_hover_shows_descriptions(server: tuple[YamlLanguageServer, Path]) -> None:
    ls, root = server
    publish = root / "specs" / "publish.yaml"
    broken = publish.read_text().replace("apiVersion: edgec.dev/v1", "apiVersion: edgec.dev/v1\nbogus: 1", 1)
    assert _errors(ls, publish, broken)  # the modeline (relative to the file) finds the copied schema
    for path in _spec_files(root):
        if path != publish:
            assert ls.diagnostics(path, path.read_text()) == [], path
    lines = (root / "specs" / "edge.yaml").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.strip().startswith("publish:"))
    assert "the publish the location was added to" in ls.hover(root / "specs" / "edge.yaml", row, 4)


@pytest.mark.integration
def test_acknowledge_rule_completes_the_rule_ids(server: tuple[YamlLanguageServer, Path]) -> None:
    ls, root = server
    publish = root / "specs" / "publish.yaml"
    text = publish.read_text().rstrip("\n") + "\n  acknowledge:\n    - field: out.y\n      rule: \n"
    ls.diagnostics(publish, text)
    labels = ls.completion(publish, text.count("\n") - 1, len("      rule: "))
    assert "FIELD_REMOVED" in labels and "TYPE_WIDENED" in labels
