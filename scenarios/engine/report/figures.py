"""Matplotlib figures of the report, drawn with the Agg canvas (no display, no pyplot state).

PNG files are written without a timestamp or software tag so that the same inputs give the
same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scenarios.engine.comparison import RankEntry
from scenarios.engine.errors import ReportError
from scenarios.engine.recovery_mc import RecoveryBands
from scenarios.engine.report.model import FigureSpec, ReportModel
from scenarios.engine.scoring import Scorecard

DPI = 120
FIGSIZE_IN = (7.0, 4.0)
#: Band between these percentiles is shaded (must be among the bands' percentiles).
BAND_LOW, BAND_HIGH = 10.0, 90.0
_PNG_METADATA = {"Software": None}


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, metadata=_PNG_METADATA)
    return path


def recovery_figure(bands: RecoveryBands, spec: FigureSpec, out_dir: Path) -> Path:
    """Mean Q(t) per system and the town with a shaded percentile band."""
    try:
        lo, hi = bands.percentiles.index(BAND_LOW), bands.percentiles.index(BAND_HIGH)
    except ValueError as exc:
        raise ReportError(
            f"recovery bands lack the {BAND_LOW:g}/{BAND_HIGH:g} percentiles"
        ) from exc
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    for k, name in enumerate(bands.names):
        width = 2.5 if name == "town" else 1.2
        (line,) = ax.plot(bands.grid_days, bands.q_mean[k], lw=width, label=name)
        ax.fill_between(
            bands.grid_days,
            bands.q_pct[lo, k],
            bands.q_pct[hi, k],
            color=line.get_color(),
            alpha=0.15,
            lw=0,
        )
    ax.set(
        xlabel="days after the earthquake",
        ylabel="functionality Q (%)",
        ylim=(0, 101),
        title=spec.title_en,
    )
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    return _save(fig, out_dir / spec.filename)


def scorecard_figure(card: Scorecard, spec: FigureSpec, out_dir: Path) -> Path:
    """Horizontal bars of node scores (objects and capacities), grade thresholds behind."""
    nodes = [n for n in card.nodes if n.depth >= 1 and n.applicable]
    fig = Figure(figsize=(FIGSIZE_IN[0], 0.3 * len(nodes) + 1.2))
    ax = fig.add_subplot()
    y = range(len(nodes))
    ax.barh(
        list(y),
        [n.score for n in nodes],
        color=["#3a6ea5" if n.depth == 1 else "#9dbbd9" for n in nodes],
    )
    ax.set_yticks(list(y), [n.node_id for n in nodes], fontsize="small")
    ax.invert_yaxis()
    ax.set(
        xlim=(0, 100),
        xlabel="score (0-100)",
        title=f"{spec.title_en}: total {card.total:.1f} ({card.grade})",
    )
    fig.tight_layout()
    return _save(fig, out_dir / spec.filename)


def ranking_figure(ranking: Sequence[RankEntry], spec: FigureSpec, out_dir: Path) -> Path:
    """Bars of the towns' suite scores, best first."""
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    ax.bar([r.town for r in ranking], [r.score for r in ranking], color="#5a8f5a")
    for k, r in enumerate(ranking):
        ax.text(k, r.score + 1, r.grade, ha="center", fontsize="small")
    ax.set(ylim=(0, 105), ylabel="score (0-100)", title=spec.title_en)
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    return _save(fig, out_dir / spec.filename)


def render_figures(
    report: ReportModel,
    out_dir: Path,
    *,
    scorecard: Scorecard,
    bands: RecoveryBands | None = None,
    ranking: Sequence[RankEntry] = (),
) -> dict[str, Path]:
    """Draw every figure of ``report`` as PNG into ``out_dir``; returns figure id -> path.

    Raises
    ------
    ReportError
        A figure needs data that was not given, or ``out_dir`` is not a directory.
    """
    if not out_dir.is_dir():
        raise ReportError(f"figure directory {out_dir} does not exist; create it first")
    paths: dict[str, Path] = {}
    for spec in report.figures():
        if spec.kind == "scorecard":
            paths[spec.id] = scorecard_figure(scorecard, spec, out_dir)
        elif spec.kind == "recovery_bands" and bands is not None:
            paths[spec.id] = recovery_figure(bands, spec, out_dir)
        elif spec.kind == "ranking" and ranking:
            paths[spec.id] = ranking_figure(ranking, spec, out_dir)
        else:
            raise ReportError(
                f"figure {spec.id!r} ({spec.kind}) has no data; pass it to render_figures"
            )
    return paths
