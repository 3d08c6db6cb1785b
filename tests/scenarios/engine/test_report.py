"""Report model and figures: sections, tables, PNGs written and byte-identical on re-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.engine.comparison import rank_towns
from scenarios.engine.errors import ReportError
from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.recovery import CrewPool, RepairTask
from scenarios.engine.recovery_mc import recovery_monte_carlo
from scenarios.engine.report.figures import render_figures
from scenarios.engine.report.model import build_report
from scenarios.engine.scoring import score_run
from tests.scenarios.engine.test_indicators import outputs

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _inputs():  # type: ignore[no-untyped-def]
    tree = load_tree()
    card = score_run(tree, outputs(), run_id="run-1")
    worse = score_run(tree, outputs(**{"casualties.deaths": 30.0}), run_id="run-2")
    ranking = rank_towns(tree, {"Anping": [card], "Baoan": [worse]})
    tasks = [RepairTask(f"w{i}", "water", 1.0 + i % 3, 10.0) for i in range(20)]
    bands = recovery_monte_carlo(
        [tasks], {"water": CrewPool("water", 3)}, {"water": 500.0}, n_realisations=20, seed=5
    )
    return tree, card, ranking, bands


def test_report_model_and_figures(tmp_path: Path) -> None:
    tree, card, ranking, bands = _inputs()
    report = build_report(
        town="Anping",
        tree=tree,
        scorecard=card,
        bands=bands,
        ranking=ranking,
        versions={"structures": "0.1"},
    )
    assert [s.id for s in report.sections] == [
        "summary",
        "scorecard",
        "recovery",
        "ranking",
        "methods",
    ]
    leaves = report.sections[1].tables[0]
    assert len(leaves.rows) == 21 and leaves.columns_zh[0] == "指标"
    paths = render_figures(report, tmp_path, scorecard=card, bands=bands, ranking=ranking)
    assert set(paths) == {"scorecard", "recovery", "ranking"}
    first = {k: p.read_bytes() for k, p in paths.items()}
    assert all(b.startswith(PNG_MAGIC) for b in first.values())
    again = render_figures(report, tmp_path, scorecard=card, bands=bands, ranking=ranking)
    assert {k: p.read_bytes() for k, p in again.items()} == first


def test_report_errors(tmp_path: Path) -> None:
    tree, card, ranking, _ = _inputs()
    with pytest.raises(ReportError, match="not in the ranking"):
        build_report(town="Nowhere", tree=tree, scorecard=card, ranking=ranking)
    report = build_report(town="Anping", tree=tree, scorecard=card, ranking=ranking)
    with pytest.raises(ReportError, match="does not exist"):
        render_figures(report, tmp_path / "missing", scorecard=card, ranking=ranking)
