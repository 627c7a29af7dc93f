"""A pytest plugin: every diagnostic code must be produced by some test of the session, not only be spelled in one.

Each `Diagnostic` built while the tests run records its code (in every xdist worker; the workers hand their sets
to the controller through files). When the whole suite ran and passed, a code of `CODES` that no test produced
fails the session. A partial run (paths, -k, -m, -x stopping early, failures) checks nothing: the codes of the
tests left out would be missing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from compiler.diagnostics import CODES, Diagnostic

_SEEN: set[str] = set()
_DIR_KEY = "edgec_codes_dir"
_dir = pytest.StashKey[str]()
_original_post_init = Diagnostic.__post_init__


def _recording_post_init(self: Diagnostic) -> None:
    _original_post_init(self)
    _SEEN.add(self.code)


def missing_codes(seen: set[str]) -> list[str]:
    return sorted(set(CODES) - seen)


def pytest_configure(config: pytest.Config) -> None:
    Diagnostic.__post_init__ = _recording_post_init  # type: ignore[method-assign]
    if not hasattr(config, "workerinput"):
        config.stash[_dir] = tempfile.mkdtemp(prefix="edgec-codes-")



@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:  # xdist: hand each worker the folder for its codes
    node.workerinput[_DIR_KEY] = node.config.stash[_dir]


def _full_run(session: pytest.Session) -> bool:
    config = session.config
    option = config.option
    root_args = {str(Path(config.rootpath) / p) for p in config.getini("testpaths")} | {str(config.rootpath)}
    args = {str((Path.cwd() / a).resolve()) for a in config.args}
    return (not option.keyword and not option.markexpr and not session.shouldstop and session.testsfailed == 0
            and args <= root_args and session.testscollected > 0)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        path = Path(workerinput[_DIR_KEY]) / f"{workerinput['workerid']}.json"
        path.write_text(json.dumps(sorted(_SEEN)), encoding="utf-8")
        return
    folder = Path(config.stash[_dir])
    seen = set(_SEEN)
    for path in folder.glob("*.json"):
        seen.update(json.loads(path.read_text(encoding="utf-8")))
        path.unlink()
    os.rmdir(folder)
    if exitstatus != 0 or not _full_run(session):
        return
    missing = missing_codes(seen)
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ERROR: no test produced the diagnostic codes {', '.join(missing)} "
                                "(tests/support/codes_seen.py)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
