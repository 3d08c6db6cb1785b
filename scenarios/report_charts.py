"""Charts of a run's report (damage by type and grade, lifeline service, casualties).

Pure matplotlib on the Agg canvas, no pyplot, no Django; PNGs without timestamp or software tag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from scenarios.report_maps import DAMAGE_COLOURS, STAR_COLOURS

DPI = 120
FIGSIZE_IN = (7.0, 3.8)
DAMAGE_LABELS = ("none", "slight", "moderate", "extensive", "complete", "collapse")
_PNG_METADATA = {"Software": None}


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata=_PNG_METADATA)
    return path


def damage_by_type_chart(shares: Mapping[str, NDArray[np.float64]], path: Path) -> Path:
    """Stacked bars: share of building-realisations in each damage state 0-5, per type."""
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    names = list(shares)
    bottom = np.zeros(len(names))
    for state, label in enumerate(DAMAGE_LABELS):
        height = np.array([shares[n][state] for n in names]) * 100.0
        ax.bar(names, height, bottom=bottom, color=DAMAGE_COLOURS[state], label=label)
        bottom += height
    ax.set(ylabel="share of buildings (%)", ylim=(0, 100), xlabel="structural type (Hazus)")
    ax.legend(fontsize="x-small", ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    ax.tick_params(axis="x", labelrotation=45 if len(names) > 8 else 0)
    return _save(fig, path)


def stars_chart(counts: Sequence[int], mean_damage: Sequence[float], path: Path) -> Path:
    """Bars: buildings per GB/T 38591 star grade; line: their mean damage state."""
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    stars = np.arange(len(counts))
    ax.bar(stars, counts, color=[STAR_COLOURS[int(s)] for s in stars])
    ax.set(xlabel="GB/T 38591 stars", ylabel="buildings", xticks=stars)
    twin = ax.twinx()
    twin.plot(stars, mean_damage, "ko-", ms=4)
    twin.set(ylabel="mean damage state (0-5)", ylim=(0, 5))
    return _save(fig, path)


def service_chart(
    time_days: NDArray[np.float64],
    mean: Mapping[str, NDArray[np.float64]],
    low: Mapping[str, NDArray[np.float64]],
    high: Mapping[str, NDArray[np.float64]],
    path: Path,
) -> Path:
    """Served share of each lifeline system over time (mean line, percentile band)."""
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    for name, values in mean.items():
        (line,) = ax.plot(time_days, values * 100.0, "o-", lw=1.5, ms=4, label=name)
        if name in low and name in high:
            ax.fill_between(
                time_days,
                low[name] * 100.0,
                high[name] * 100.0,
                color=line.get_color(),
                alpha=0.15,
                lw=0,
            )
    ax.set(xlabel="days after the earthquake", ylabel="demand served (%)", ylim=(0, 101))
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def casualties_chart(by_severity: Sequence[float], path: Path) -> Path:
    """Bars of expected casualties by Hazus severity 1-4."""
    fig = Figure(figsize=(FIGSIZE_IN[0], 3.0))
    ax = fig.add_subplot()
    labels = ["1 minor", "2 serious", "3 critical", "4 killed"]
    ax.barh(labels, by_severity, color=["#fdae61", "#f46d43", "#d73027", "#67001f"])
    ax.invert_yaxis()
    ax.set(xlabel="persons (mean over realisations)")
    return _save(fig, path)


def fire_chart(
    hours: NDArray[np.float64], burning: NDArray[np.float64], burnt: NDArray[np.float64], path: Path
) -> Path:
    """Buildings burning and burnt over time (mean over realisations, band 10th-90th)."""
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    for values, label, colour in ((burning, "burning", "#f46d43"), (burnt, "burnt out", "#67001f")):
        values = np.atleast_2d(values)
        ax.plot(hours, values.mean(axis=0), color=colour, label=label)
        ax.fill_between(
            hours,
            np.percentile(values, 10, axis=0),
            np.percentile(values, 90, axis=0),
            color=colour,
            alpha=0.15,
            lw=0,
        )
    ax.set(xlabel="hours after the earthquake", ylabel="buildings", ylim=(0, None))
    ax.legend(fontsize="small", loc="upper left")
    ax.grid(alpha=0.3)
    return _save(fig, path)
