"""Water service after an earthquake: pressure-driven hydraulics (WNTR/EPANET) with leaks and
breaks, and a topological fallback.

Damage enters EPANET 2.2 (through ``wntr.sim.EpanetSimulator``, pressure-driven demand) as:

* **leak** on a pipe: an emitter at the pipe end nearer to the leak (a junction), coefficient
  ``C = C_d · A_leak · sqrt(2 g)`` (m³/s per m^0.5, emitter exponent 0.5), with
  ``A_leak = LEAK_AREA_FRACTION · π D²/4`` per leak;
* **break**: the pipe is closed and both ends discharge freely through the full bore
  (emitters with ``A = π D²/4`` at each end junction).

Served demand per junction follows the PDD relation of Wagner et al. (1988),
doi:10.1061/(ASCE)0733-9496(1988)114:3(276): ``q = q_d · ((p − p_min)/(p_req − p_min))^0.5``
clipped to [0, 1] — computed from EPANET's pressures, so emitter (leak) flow is not counted
as served. If EPANET fails (non-convergence, singular matrix) the service is recomputed
topologically (a junction is served when it stays connected to a reservoir or tank) and the
reason is recorded, never raised.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import wntr
from numpy.typing import NDArray
from wntr.epanet.exceptions import EpanetException

from lifelines.engine.damage import PipeDamage
from lifelines.engine.errors import NetworkModelError
from lifelines.engine.water_model import water_model_from_inp, water_model_from_record

__all__ = [
    "WaterService",
    "pdd_fraction",
    "topological_water_service",
    "water_model_from_inp",
    "water_model_from_record",
    "water_service",
]

GRAVITY_M_S2 = 9.81
DISCHARGE_COEFFICIENT = 0.75
"""Orifice discharge coefficient of leaks and breaks (WNTR's default leak C_d)."""
LEAK_AREA_FRACTION = 0.03
"""Leak opening / pipe cross-section per leak (platform assumption, cf. Shi & O'Rourke 2008
GIRAFFE leak types of a few per cent of the bore)."""
REQUIRED_PRESSURE_M = 20.0
MINIMUM_PRESSURE_M = 0.0
PDD_EXPONENT = 0.5


@dataclass(frozen=True, slots=True)
class WaterService:
    """Water service of one damage realisation (a steady snapshot at ``time_s``).

    ``method`` is ``"pdd"`` (EPANET pressure-driven) or ``"topological"`` (fallback; then
    ``message`` says why). Demands in m³/s, pressures in m.
    """

    junctions: tuple[str, ...]
    pressure_m: NDArray[np.float64]
    demand_m3_s: NDArray[np.float64]
    served_fraction: NDArray[np.float64]
    demand_served_fraction: float
    leak_flow_m3_s: float
    method: str
    message: str = ""
    pumps_off: tuple[str, ...] = ()


def pdd_fraction(
    pressure_m: NDArray[np.float64],
    required_m: float = REQUIRED_PRESSURE_M,
    minimum_m: float = MINIMUM_PRESSURE_M,
) -> NDArray[np.float64]:
    """Wagner PDD supply ratio in [0, 1] for pressures (m)."""
    ratio = (np.asarray(pressure_m, np.float64) - minimum_m) / (required_m - minimum_m)
    return np.asarray(np.clip(ratio, 0.0, 1.0) ** PDD_EXPONENT, dtype=np.float64)


def orifice_coefficient(area_m2: float) -> float:
    """Emitter coefficient (m³/s per m^0.5) of an orifice: ``C_d · A · sqrt(2 g)``."""
    return DISCHARGE_COEFFICIENT * area_m2 * math.sqrt(2.0 * GRAVITY_M_S2)


def damage_emitters(
    wn: Any, damage: PipeDamage | None, leak_area_fraction: float = LEAK_AREA_FRACTION
) -> tuple[dict[str, float], list[str]]:
    """Emitter coefficients per junction and pipes to close for a pipe-damage realisation."""
    emitters: dict[str, float] = {}
    closed: list[str] = []
    if damage is None:
        return emitters, closed
    junctions = set(wn.junction_name_list)
    for index, fraction, is_break in zip(
        damage.repair_pipe, damage.repair_fraction, damage.repair_is_break, strict=True
    ):
        pipe = wn.get_link(damage.keys[index])
        bore = math.pi * pipe.diameter**2 / 4.0
        ends = [pipe.start_node_name, pipe.end_node_name]
        if is_break:
            closed.append(pipe.name)
            targets = [(e, bore) for e in ends if e in junctions]
        else:
            ends = ends if fraction < 0.5 else ends[::-1]
            near = [e for e in ends if e in junctions][:1]
            targets = [(e, leak_area_fraction * bore) for e in near]
        for node, area in targets:
            emitters[node] = emitters.get(node, 0.0) + orifice_coefficient(area)
    return emitters, sorted(set(closed))


@contextmanager
def _damaged(wn: Any, emitters: dict[str, float], closed: Sequence[str]) -> Iterator[None]:
    """Apply emitters and closures to ``wn`` and restore the model afterwards."""
    saved_e = {n: wn.get_node(n).emitter_coefficient for n in emitters}
    saved_s = {k: wn.get_link(k).initial_status for k in closed}
    saved_controls = _remove_controls(wn, closed)
    try:
        for node, value in emitters.items():
            wn.get_node(node).emitter_coefficient = (saved_e[node] or 0.0) + value
        for key in closed:
            wn.get_link(key).initial_status = wntr.network.LinkStatus.Closed
        yield
    finally:
        for node, value in saved_e.items():
            wn.get_node(node).emitter_coefficient = value
        for key, status in saved_s.items():
            wn.get_link(key).initial_status = status
        for name, control in saved_controls.items():
            wn.add_control(name, control)


def _remove_controls(wn: Any, links: Sequence[str]) -> dict[str, Any]:
    """Take out controls acting on ``links`` (they would reopen a closed pump or pipe)."""
    wanted = set(links)
    removed = {}
    for name, control in list(wn.controls()):
        if any(getattr(obj, "name", None) in wanted for obj in control.requires()):
            removed[name] = control
            wn.remove_control(name)
    return removed


def water_service(
    wn: Any,
    damage: PipeDamage | None = None,
    *,
    pumps_off: Sequence[str] = (),
    closed_links: Sequence[str] = (),
    required_pressure_m: float = REQUIRED_PRESSURE_M,
    minimum_pressure_m: float = MINIMUM_PRESSURE_M,
    time_s: int = 0,
) -> WaterService:
    """Pressure-driven water service with pipe leaks/breaks and pumps without power.

    Parameters
    ----------
    wn : wntr.network.WaterNetworkModel
        The intact model; restored unchanged on return.
    damage : PipeDamage, optional
        Sampled repairs (keys must be pipe names of ``wn``).
    pumps_off : pump names without power (closed), e.g. from the power service.
    closed_links : further links to close (isolation valves, repair crews).
    required_pressure_m, minimum_pressure_m : PDD pressures (m).
    time_s : int
        Time of the hydraulic snapshot in the model's patterns (s).

    Returns
    -------
    WaterService
        ``method="pdd"``, or ``"topological"`` with the EPANET error in ``message``.

    Raises
    ------
    NetworkModelError
        Damage or pumps that name no link of ``wn``.
    """
    _check_names(wn, damage, pumps_off, closed_links)
    emitters, broken = damage_emitters(wn, damage)
    closed = sorted({*broken, *pumps_off, *closed_links})
    base = np.array(
        [wn.get_node(j).demand_timeseries_list.at(time_s) for j in wn.junction_name_list],
        dtype=np.float64,
    )
    with _damaged(wn, emitters, closed):
        try:
            pressure, leak = _run_epanet(wn, required_pressure_m, minimum_pressure_m, time_s)
        except (EpanetException, RuntimeError, ValueError, OSError, KeyError) as exc:
            return _topological(
                wn, closed, base, f"EPANET failed ({exc}); topological fallback", tuple(pumps_off)
            )
    if not np.all(np.isfinite(pressure)):
        return _topological(
            wn,
            closed,
            base,
            "EPANET returned NaN pressures; topological fallback",
            tuple(pumps_off),
        )
    served = pdd_fraction(pressure, required_pressure_m, minimum_pressure_m)
    return _result(wn, pressure, base, served, float(leak), "pdd", "", tuple(pumps_off))


def _check_names(
    wn: Any, damage: PipeDamage | None, pumps: Sequence[str], links: Sequence[str]
) -> None:
    known = set(wn.link_name_list)
    names = [*(damage.keys if damage else ()), *pumps, *links]
    missing = [n for n in names if n not in known]
    if missing:
        raise NetworkModelError(
            f"link {missing[0]} is not in water model {wn.name!r} "
            f"({len(missing)} unknown); use the model the damage came from"
        )


def _run_epanet(
    wn: Any, required: float, minimum: float, time_s: int
) -> tuple[NDArray[np.float64], float]:
    options = wn.options
    saved = (
        options.time.duration,
        options.hydraulic.demand_model,
        options.hydraulic.required_pressure,
        options.hydraulic.minimum_pressure,
        options.time.pattern_start,
    )
    options.time.duration, options.hydraulic.demand_model = 0, "PDD"
    options.hydraulic.required_pressure = required
    options.hydraulic.minimum_pressure = minimum
    options.time.pattern_start = time_s
    try:
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = _epanet_run(wn, Path(folder))
    finally:
        (
            options.time.duration,
            options.hydraulic.demand_model,
            options.hydraulic.required_pressure,
            options.hydraulic.minimum_pressure,
            options.time.pattern_start,
        ) = saved
    names = wn.junction_name_list
    pressure = results.node["pressure"].loc[:, names].to_numpy(dtype=np.float64)[0]
    demand = results.node["demand"].loc[:, names].to_numpy(dtype=np.float64)[0]
    return pressure, float(np.sum(demand))


_CWD_LOCK = threading.Lock()  # the working directory is per process: one solve at a time


def _epanet_run(wn: Any, folder: Path) -> Any:
    """Run EPANET with its scratch files in ``folder``.

    EPANET 2.2 names its scratch hydraulics file ``enXXXXXX`` in the working directory and
    leaves it behind (with the project open) when a solve fails, so the solve runs inside
    ``folder`` and a failed project is closed before the error goes on.
    """
    simulator = wntr.sim.EpanetSimulator(wn)
    with _working_directory(folder):
        try:
            return simulator.run_sim(file_prefix=str(folder / "r"))
        except Exception:
            data = getattr(simulator, "enData", None)
            with contextlib.suppress(Exception):
                if data is not None:
                    data.ENclose()
            raise


@contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    with _CWD_LOCK:
        previous = Path.cwd()
        os.chdir(folder)
        try:
            yield
        finally:
            os.chdir(previous)


def _result(
    wn: Any,
    pressure: NDArray[np.float64],
    base: NDArray[np.float64],
    served: NDArray[np.float64],
    total_flow: float,
    method: str,
    message: str,
    pumps_off: tuple[str, ...],
) -> WaterService:
    positive = np.maximum(base, 0.0)
    total = float(positive.sum())
    delivered = float((positive * served).sum())
    leak = max(total_flow - delivered, 0.0) if method == "pdd" else float("nan")
    return WaterService(
        junctions=tuple(wn.junction_name_list),
        pressure_m=pressure,
        demand_m3_s=base,
        served_fraction=served,
        demand_served_fraction=delivered / total if total > 0 else 1.0,
        leak_flow_m3_s=leak,
        method=method,
        message=message,
        pumps_off=pumps_off,
    )


def _topological(
    wn: Any,
    closed: Sequence[str],
    base: NDArray[np.float64],
    message: str,
    pumps_off: tuple[str, ...],
) -> WaterService:
    """Served = still connected to a reservoir or tank once closed links are removed."""
    graph = nx.Graph()
    graph.add_nodes_from(wn.node_name_list)
    shut = set(closed)
    graph.add_edges_from(
        (link.start_node_name, link.end_node_name) for name, link in wn.links() if name not in shut
    )
    supplied: set[str] = set()
    for source in [*wn.reservoir_name_list, *wn.tank_name_list]:
        if source not in supplied:
            supplied |= nx.node_connected_component(graph, source)
    served = np.array([1.0 if j in supplied else 0.0 for j in wn.junction_name_list])
    pressure = np.full(len(served), np.nan)
    return _result(wn, pressure, base, served, 0.0, "topological", message, pumps_off)


def topological_water_service(
    wn: Any, damage: PipeDamage | None = None, *, pumps_off: Sequence[str] = ()
) -> WaterService:
    """Connectivity-only water service (for huge networks): breaks and dead pumps cut links."""
    _check_names(wn, damage, pumps_off, ())
    _, broken = damage_emitters(wn, damage)
    base = np.array(
        [wn.get_node(j).demand_timeseries_list.at(0) for j in wn.junction_name_list],
        dtype=np.float64,
    )
    return _topological(
        wn, sorted({*broken, *pumps_off}), base, "topological by request", tuple(pumps_off)
    )
