"""Maps of a run for its report: building footprints from the database coloured by run arrays.

Footprints are projected to a local azimuthal equidistant plane centred on the town's
buildings, so axes read in metres east and north of that centre. Figures are drawn on the Agg
canvas without pyplot; PNGs carry no timestamp or software tag (same data, same bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PolyCollection
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import NDArray
from pyproj import Transformer

from twin.models import Building

DPI = 120
FIGSIZE_IN = (7.0, 5.6)
#: Colours of damage states 0-5 and GB/T 38591 stars 0-5 (worst red, best green).
DAMAGE_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#fdae61", "#f46d43", "#a50026")
STAR_COLOURS = ("#a50026", "#f46d43", "#fdae61", "#fee08b", "#a6d96a", "#1a9850")
_PNG_METADATA = {"Software": None}


@dataclass(frozen=True, slots=True)
class Footprints:
    """Building outlines in local metres: ``rings[k]`` belong to building ``owner[k]``."""

    ids: tuple[int, ...]
    rings: tuple[NDArray[np.float64], ...]
    owner: NDArray[np.int64]
    centroids: NDArray[np.float64]  # (B, 2) local metres
    to_local: Transformer

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.to_local.transform(lon, lat)
        return float(x), float(y)


def footprints_of(building_ids: Sequence[int]) -> Footprints:
    """Outlines of ``building_ids`` (in that order) from the database, in local metres."""
    rows = dict(Building.objects.filter(pk__in=list(building_ids)).values_list("pk", "footprint"))
    geoms = [rows.get(i) for i in building_ids]
    shapes = [shapely.from_wkb(bytes(g.wkb)) if g is not None else None for g in geoms]
    lonlat = np.array([s.centroid.coords[0] if s is not None else (np.nan, np.nan) for s in shapes])
    lon0, lat0 = (np.nanmean(lonlat[:, 0]), np.nanmean(lonlat[:, 1])) if len(shapes) else (0, 0)
    to_local = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat0:.6f} +lon_0={lon0:.6f} +units=m", always_xy=True
    )
    rings: list[NDArray[np.float64]] = []
    owner: list[int] = []
    for k, shape in enumerate(shapes):
        if shape is None:
            continue
        for part in getattr(shape, "geoms", [shape]):
            x, y = to_local.transform(*np.asarray(part.exterior.coords).T[:2])
            rings.append(np.column_stack([x, y]))
            owner.append(k)
    cx, cy = to_local.transform(lonlat[:, 0], lonlat[:, 1])
    return Footprints(
        tuple(building_ids),
        tuple(rings),
        np.asarray(owner, dtype=np.int64),
        np.column_stack([cx, cy]),
        to_local,
    )


def _axes(fp: Footprints, title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=FIGSIZE_IN)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.set(xlabel="east (m)", ylabel="north (m)", title=title)
    ax.grid(alpha=0.25, lw=0.5)
    return fig, ax


def _draw(ax: Axes, fp: Footprints, colours: NDArray[np.float64] | list[str]) -> None:
    faces = [colours[k] for k in fp.owner]
    coll = PolyCollection(list(fp.rings), facecolors=faces, edgecolors=faces, linewidths=0.4)
    ax.add_collection(coll)
    if len(fp.rings):
        xy = np.concatenate(fp.rings)
        pad = max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), 50.0) * 0.05
        ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
        ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)


def _mark_epicentre(ax: Axes, fp: Footprints, epicentre: tuple[float, float] | None) -> None:
    if epicentre is None:
        return
    x, y = fp.project(*epicentre)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    if x0 <= x <= x1 and y0 <= y <= y1:
        ax.plot([x], [y], marker="*", ms=16, color="k", mfc="yellow")
        return
    distance_km = float(np.hypot(x, y)) / 1000.0
    bearing = float(np.degrees(np.arctan2(x, y))) % 360.0
    ax.annotate(
        f"epicentre {distance_km:.1f} km, bearing {bearing:.0f}°",
        xy=(0.02, 0.02),
        xycoords="axes fraction",
        fontsize="small",
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
    )


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata=_PNG_METADATA)
    return path


def continuous_map(
    fp: Footprints,
    values: NDArray[np.float64],
    path: Path,
    *,
    title: str,
    label: str,
    cmap: str | Colormap = "YlOrRd",
    vmin: float | None = None,
    vmax: float | None = None,
    epicentre: tuple[float, float] | None = None,
    sites: Sequence[tuple[str, float, float]] = (),
) -> Path:
    """Footprints coloured by one value per building, with a colour bar; ``sites`` (name,
    lon, lat) are marked with triangles."""
    finite = values[np.isfinite(values)]
    lo = vmin if vmin is not None else float(finite.min()) if finite.size else 0.0
    hi = vmax if vmax is not None else float(finite.max()) if finite.size else 1.0
    mappable = ScalarMappable(Normalize(lo, hi if hi > lo else lo + 1e-9), cmap)
    fig, ax = _axes(fp, title)
    _draw(ax, fp, mappable.to_rgba(np.nan_to_num(values, nan=lo)))
    _mark_epicentre(ax, fp, epicentre)
    for name, lon, lat in sites:
        x, y = fp.project(lon, lat)
        ax.plot([x], [y], marker="^", ms=10, color="k", mfc="#7b3294")
        ax.annotate(
            name,
            (x, y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize="x-small",
        )
    fig.colorbar(mappable, ax=ax, label=label, shrink=0.8)
    return _save(fig, path)


def category_map(
    fp: Footprints,
    classes: NDArray[np.int64],
    path: Path,
    *,
    title: str,
    colours: Sequence[str],
    labels: Sequence[str],
    epicentre: tuple[float, float] | None = None,
) -> Path:
    """Footprints coloured by a class per building (0..len(colours)-1), with a legend."""
    cmap = ListedColormap(list(colours))
    mappable = ScalarMappable(BoundaryNorm(np.arange(len(colours) + 1) - 0.5, len(colours)), cmap)
    fig, ax = _axes(fp, title)
    _draw(ax, fp, mappable.to_rgba(np.clip(classes, 0, len(colours) - 1)))
    _mark_epicentre(ax, fp, epicentre)
    present = sorted(set(np.clip(classes, 0, len(colours) - 1).tolist()))
    handles = [
        Patch(color=colours[k], label=f"{labels[k]} ({int((classes == k).sum())})") for k in present
    ]
    ax.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.85)
    return _save(fig, path)
