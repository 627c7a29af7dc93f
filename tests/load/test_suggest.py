"""Did-you-mean stays good and its work stays linear in the number of unknown references."""

from __future__ import annotations

from pathlib import Path

from compiler.load.load_root import load_specs
from compiler.load.references import Hints, check_references
from compiler.load.suggest import LIMIT, Suggester
from tests.support_cases import materialise


def _mass_rename(root: Path, count: int) -> None:
    """`count` publishes renamed from `svc-NNNN-a` to `svc-NNNN-b`, each edge still naming the old name."""
    publishes = "".join(f"---\napiVersion: edgec.dev/v1\nkind: Publish\nmetadata:\n  name: svc-{i:04d}-b\n"
                        f"spec:\n  pipeline: p\n  version: v1\n" for i in range(count))
    edges = "".join(f"---\napiVersion: edgec.dev/v1\nkind: EdgeLocation\nmetadata:\n  name: edge-{i:04d}\n"
                    f"spec:\n  publish: svc-{i:04d}-a\n" for i in range(count))
    (root / "specs" / "many-publishes.yaml").write_text(publishes)
    (root / "specs" / "many-edges.yaml").write_text(edges)


def _work(tmp_path: Path, count: int) -> tuple[int, list[str | None]]:
    root = materialise("validate", "_base", tmp_path / str(count))
    _mass_rename(root, count)
    specs = load_specs(root).specs
    hints = Hints(specs)
    diagnostics = check_references(specs, hints)
    unknown = [d for d in diagnostics if d.code == "unknown-reference"]
    assert len(unknown) == count
    return hints.suggesters["Publish"].compared, [d.hint for d in unknown]


def test_a_mass_rename_costs_work_linear_in_its_size(tmp_path: Path) -> None:
    small, hints = _work(tmp_path, 300)
    large, _ = _work(tmp_path, 1200)
    assert hints[7] == "did you mean 'svc-0007-b'?"  # the hint is still the renamed publish
    assert large <= 4 * small * 1.1  # four times the renames, four times the work (all-pairs would be 16x)
    assert large <= 1200 * 2 * LIMIT * 2  # bounded per lookup


def test_one_missing_name_referenced_many_times_is_looked_up_once() -> None:
    suggest = Suggester([f"store-{i:04d}" for i in range(1000)])
    first = [suggest("stor-0012") for _ in range(600)]
    assert set(first) == {"did you mean 'store-0012'?"}
    once = suggest.compared
    suggest("stor-0012")
    assert suggest.compared == once <= 2 * LIMIT * 2


def test_small_sets_compare_with_every_name() -> None:
    suggest = Suggester(["replaces", "pipeline", "version"])
    assert suggest("replace") == "did you mean 'replaces'?"
    assert suggest.compared == 3
