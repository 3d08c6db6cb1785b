"""Time-dynamic CZML layers of a run: fire spread, chemical threat, lifeline service over time.

Packets follow the CZML 1.0 schema as czml3 writes it (the tests validate samples with czml3's
models); they are assembled as plain dicts because czml3's validation costs ~1 ms a packet,
20 s for a 20,000-building service layer. A layer is built once per run and realisation and
kept in the run folder (a finished run never changes).

Times: the clock starts at the scenario's time of day (China Standard Time, on the run's date).
Fire and chemicals span the 6 h cascade; services span the days until the system is back
(``recovery.npz``: mean over realisations of the time to full restoration).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from numpy.typing import NDArray

SERVICES = ("water", "power", "gas")
LAYERS = ("fire", "chemical", *SERVICES)
RED, GREEN, GREY = [220, 30, 20, 235], [40, 170, 60, 200], [60, 60, 60, 235]
AEGL = {1: [250, 220, 40, 230], 2: [250, 130, 0, 230], 3: [150, 0, 170, 230]}
DAY_S = 86400.0
TIME_OF_DAY_H = {"2AM": 2, "2PM": 14, "5PM": 17}
CST = ZoneInfo("Asia/Shanghai")


class CzmlError(ValueError):
    """A layer the run cannot provide (missing arrays, realisation out of range)."""


@dataclass(frozen=True, slots=True)
class Footprints:
    """Building geometry aligned with the run's ``building_id`` order (lon/lat degrees, m)."""

    rings: Sequence[NDArray[np.float64] | None]
    centroids: NDArray[np.float64]
    height_m: NDArray[np.float64]


def epoch_for(created: dt.datetime, time_of_day: str) -> dt.datetime:
    """The earthquake's moment: the run's date at the scenario's time of day (CST), in UTC."""
    local = created.astimezone(CST).replace(
        hour=TIME_OF_DAY_H.get(time_of_day, 14), minute=0, second=0, microsecond=0
    )
    return local.astimezone(dt.UTC)


def iso(epoch: dt.datetime, seconds: float) -> str:
    return (epoch + dt.timedelta(seconds=float(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def interval(epoch: dt.datetime, start_s: float, end_s: float) -> str:
    return f"{iso(epoch, start_s)}/{iso(epoch, end_s)}"


def preamble(name: str, epoch: dt.datetime, end_s: float, multiplier: float) -> dict[str, Any]:
    return {
        "id": "document",
        "name": name,
        "version": "1.0",
        "clock": {
            "interval": interval(epoch, 0.0, end_s),
            "currentTime": iso(epoch, 0.0),
            "multiplier": multiplier,
            "range": "LOOP_STOP",
            "step": "SYSTEM_CLOCK_MULTIPLIER",
        },
    }


def coloured(epoch: dt.datetime, spans: Sequence[tuple[float, float, list[int]]]) -> list[Any]:
    return [{"interval": interval(epoch, a, b), "rgba": c} for a, b, c in spans if b > a]


def _slab(geom: Footprints, k: int, colours: list[Any]) -> dict[str, Any] | None:
    ring = geom.rings[k]
    if ring is None:
        return None
    top = float(geom.height_m[k])
    return {
        "positions": {
            "cartographicDegrees": np.column_stack([ring, np.full(len(ring), top)])
            .ravel()
            .round(7)
            .tolist()
        },
        "height": top,
        "extrudedHeight": top + 3.0,
        "material": {"solidColor": {"color": colours}},
    }


def _point(geom: Footprints, k: int, colours: list[Any]) -> dict[str, Any]:
    lon, lat = geom.centroids[k]
    return {
        "position": {
            "cartographicDegrees": [
                round(float(lon), 7),
                round(float(lat), 7),
                float(geom.height_m[k]) + 4.0,
            ]
        },
        "point": {
            "pixelSize": 9,
            "color": colours,
            "outlineColor": {"rgba": [255, 255, 255, 255]},
            "outlineWidth": 1,
        },
    }


def fire_layer(
    fire: dict[str, NDArray[Any]], ids: NDArray[Any], geom: Footprints, epoch: dt.datetime, r: int
) -> list[dict[str, Any]]:
    """Buildings that ignite: a flame slab on the roof while burning, grey once burnt out."""
    horizon = float(fire["times_s"][-1]) if len(fire["times_s"]) else 6 * 3600.0
    packets = [preamble("fire spread", epoch, horizon, 120.0)]
    ign, end = fire["ignition_s"][r], fire["end_s"][r]
    for k in np.flatnonzero(np.isfinite(ign) & (ign <= horizon)):
        stop = min(float(end[k]), horizon)
        colours = coloured(epoch, [(ign[k], stop, RED), (stop, horizon, GREY)])
        slab = _slab(geom, int(k), colours)
        if slab is None:
            continue
        packets.append(
            {
                "id": f"fire-{int(ids[k])}",
                "name": f"building {int(ids[k])}",
                "availability": interval(epoch, float(ign[k]), horizon),
                "polygon": slab,
                "properties": {"building_id": int(ids[k]), "ignition_s": float(ign[k])},
            }
        )
    return packets


def chemical_layer(
    chem: dict[str, NDArray[Any]], ids: NDArray[Any], geom: Footprints, epoch: dt.datetime, r: int
) -> list[dict[str, Any]]:
    """Threatened buildings by AEGL level from the plume's arrival, and one zone per level."""
    horizon = 6 * 3600.0
    packets = [preamble("chemical threat", epoch, horizon, 120.0)]
    level, arrival = chem["level"][r], np.nan_to_num(chem["arrival_s"][r], posinf=0.0)
    arrival = np.clip(arrival, 0.0, horizon)
    for lv in (1, 2, 3):
        hit = np.flatnonzero(level >= lv)
        if len(hit) == 0:
            continue
        hull = shapely.convex_hull(shapely.MultiPoint(geom.centroids[hit])).buffer(0.0003)
        ring = np.asarray(hull.exterior.coords)[:-1]
        packets.append(
            {
                "id": f"zone-aegl{lv}",
                "name": f"AEGL-{lv} zone",
                "availability": interval(epoch, float(arrival[hit].min()), horizon),
                "polygon": {
                    "positions": {
                        "cartographicDegrees": np.column_stack([ring, np.zeros(len(ring))])
                        .ravel()
                        .round(7)
                        .tolist()
                    },
                    "material": {"solidColor": {"color": {"rgba": [*AEGL[lv][:3], 60]}}},
                    "height": 0.0,
                    "outline": False,
                },
            }
        )
    for k in np.flatnonzero(level > 0):
        colours = coloured(epoch, [(arrival[k], horizon, AEGL[int(level[k])])])
        packets.append(
            {
                "id": f"chem-{int(ids[k])}",
                "availability": interval(epoch, float(arrival[k]), horizon),
                **_point(geom, int(k), colours),
                "properties": {"building_id": int(ids[k]), "aegl": int(level[k])},
            }
        )
    return packets


def service_layer(
    system: str,
    lifelines: dict[str, NDArray[Any]],
    recovery: dict[str, NDArray[Any]] | None,
    geom: Footprints,
    epoch: dt.datetime,
    r: int,
) -> list[dict[str, Any]]:
    """Buildings without ``system`` on day 0: red until served (day 3 or full restoration)."""
    ids = lifelines["building_id"]
    day0, day3 = lifelines[f"{system}_served_day0"][r], lifelines[f"{system}_served_day3"][r]
    full_s, share = 3 * DAY_S, None
    if recovery is not None and system in list(recovery["names"]):
        s = list(recovery["names"]).index(system)
        full_s = max(float(np.mean(recovery["time_to_100_days"][:, s])) * DAY_S, 3 * DAY_S)
        grid_s = recovery["grid_days"] * DAY_S
        keep = grid_s <= full_s * 1.05
        share = np.column_stack([grid_s[keep], recovery["q_mean"][s][keep]]).ravel().tolist()
    horizon = full_s * 1.05
    packets = [preamble(f"{system} service", epoch, horizon, 3600.0)]
    if share:
        packets.append(
            {
                "id": f"{system}-share",
                "name": f"{system} service restored (mean Q)",
                "properties": {"service_share": {"epoch": iso(epoch, 0), "number": share}},
            }
        )
    for k in np.flatnonzero(~day0):
        back = 3 * DAY_S if day3[k] else full_s
        colours = coloured(epoch, [(0.0, back, RED), (back, horizon, GREEN)])
        packets.append(
            {
                "id": f"{system}-{int(ids[k])}",
                "availability": interval(epoch, 0.0, horizon),
                **_point(geom, int(k), colours),
                "properties": {"building_id": int(ids[k]), "restored_s": back},
            }
        )
    return packets


def build_layer(
    layer: str, run_dir: Path, geom_for: Any, epoch: dt.datetime, realisation: int
) -> list[dict[str, Any]]:
    """One layer from the run's files; ``geom_for(building_ids)`` gives their Footprints."""

    def load(stem: str) -> dict[str, NDArray[Any]] | None:
        path = run_dir / f"{stem}.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return {k: data[k] for k in data.files}

    stem = "lifelines" if layer in SERVICES else layer
    arrays = load(stem)
    if arrays is None or (layer in SERVICES and f"{layer}_served_day0" not in arrays):
        raise FileNotFoundError(f"this run has no {layer} results")
    rows = (
        arrays["ignition_s"]
        if layer == "fire"
        else arrays["level"]
        if layer == "chemical"
        else arrays[f"{layer}_served_day0"]
    )
    if not 0 <= realisation < len(rows):
        raise CzmlError(f"realisation must be in 0..{len(rows) - 1}")
    ids = arrays["building_id"]
    geom = geom_for(ids)
    if layer == "fire":
        return fire_layer(arrays, ids, geom, epoch, realisation)
    if layer == "chemical":
        return chemical_layer(arrays, ids, geom, epoch, realisation)
    return service_layer(layer, arrays, load("recovery"), geom, epoch, realisation)


def available_layers(run_dir: Path) -> list[str]:
    """Layers whose arrays exist in the run folder."""
    out = [name for name in ("fire", "chemical") if (run_dir / f"{name}.npz").exists()]
    path = run_dir / "lifelines.npz"
    if path.exists():
        with np.load(path) as data:
            out += [s for s in SERVICES if f"{s}_served_day0" in data.files]
    return out


def cached_layer(
    layer: str, run_dir: Path, geom_for: Any, epoch: dt.datetime, realisation: int
) -> Path:
    """The layer's CZML file in the run folder, written on first use."""
    path = run_dir / f"czml-{layer}-{realisation}.json"
    if not path.exists():
        packets = build_layer(layer, run_dir, geom_for, epoch, realisation)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(packets, separators=(",", ":")))
        os.replace(tmp, path)
    return path
