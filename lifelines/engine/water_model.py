"""WNTR water network models from EPANET files or from CIM network records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import wntr
from wntr.epanet.exceptions import EpanetException

from lifelines.engine.errors import NetworkModelError
from twin.engine.records import LinkRecord, NetworkRecord

__all__ = ["water_model_from_inp", "water_model_from_record"]


def water_model_from_inp(path: str | Path) -> Any:
    """Load an EPANET .inp file as a WNTR ``WaterNetworkModel``.

    Raises
    ------
    NetworkModelError
        If WNTR cannot read the file.
    """
    try:
        return wntr.network.WaterNetworkModel(str(path))
    except (OSError, ValueError, KeyError, RuntimeError, EpanetException) as exc:
        raise NetworkModelError(f"cannot read EPANET file {Path(path).name}: {exc}") from exc


def water_model_from_record(record: NetworkRecord) -> Any:
    """Build a WNTR model from a CIM water network (as written by ``twin.engine.epanet``).

    Junctions (``base_demand_m3_s``), reservoirs (``base_head_m``), tanks (levels, diameter),
    pipes (length, diameter, Hazen-Williams ``roughness``), POWER pumps (``power_w``) and
    valves (``valve_type``, ``setting``). Patterns, curves and controls are not in the CIM:
    load the .inp with :func:`water_model_from_inp` when they matter.

    Raises
    ------
    NetworkModelError
        Not a water network, or a pump without ``power_w``.
    """
    if record.kind != "water":
        raise NetworkModelError(f"network {record.name!r} is {record.kind}, not water")
    wn = wntr.network.WaterNetworkModel()
    for node in record.nodes:
        a, xy, z = node.attributes, (node.x, node.y), node.elevation_m or 0.0
        if node.component_type == "reservoir":
            wn.add_reservoir(node.key, base_head=float(a.get("base_head_m", z)), coordinates=xy)
        elif node.component_type == "tank":
            wn.add_tank(
                node.key,
                elevation=z,
                init_level=float(a.get("init_level_m", 1.0)),
                min_level=float(a.get("min_level_m", 0.0)),
                max_level=float(a.get("max_level_m", 10.0)),
                diameter=float(a.get("diameter_m", 10.0)),
                coordinates=xy,
            )
        else:
            wn.add_junction(
                node.key,
                base_demand=float(a.get("base_demand_m3_s", 0.0)),
                elevation=z,
                coordinates=xy,
            )
    for link in record.links:
        _add_link(wn, link)
    return wn


def _add_link(wn: Any, link: LinkRecord) -> None:
    a = link.attributes
    if link.component_type == "pump":
        if "power_w" not in a:
            raise NetworkModelError(
                f"pump {link.key} has no power_w (head-curve pump); load the "
                ".inp with water_model_from_inp to keep its curve"
            )
        wn.add_pump(
            link.key, link.start, link.end, pump_type="POWER", pump_parameter=float(a["power_w"])
        )
    elif link.component_type == "valve":
        wn.add_valve(
            link.key,
            link.start,
            link.end,
            diameter=float(link.diameter_m or 0.3),
            valve_type=str(a.get("valve_type", "TCV")),
            initial_setting=float(a.get("setting", 0.0)),
        )
    else:
        if not (link.diameter_m and link.diameter_m > 0):
            raise NetworkModelError(f"water pipe {link.key} has no diameter; add diameter_m")
        wn.add_pipe(
            link.key,
            link.start,
            link.end,
            length=max(link.length_m, 0.01),
            diameter=link.diameter_m,
            roughness=float(a.get("roughness", 100.0)),
            minor_loss=float(a.get("minor_loss", 0.0)),
        )
