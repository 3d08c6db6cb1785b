"""Service of water, gas, power and roads in one damage realisation, on day 0 and later.

A building is a customer of a network at the nearest node that is not a source, plant or
station; it has service when that node is served (water: pressure-driven served fraction
≥ ``WATER_SERVED_FRACTION``). Later states (day 3) remove the repairs finished by then.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifelines import selectors
from lifelines.engine.debris import RoadBlockage, road_blockage
from lifelines.engine.networks import SOURCE_TYPES
from lifelines.engine.service import gas_service, nearest_nodes, power_service
from lifelines.engine.water import WaterService, water_service
from scenarios.steps.lifeline_town import Damage, LifelineTown, pipe_subset
from scenarios.steps.repairs import (
    BLOCKED_DAYS,
    BREAK_DAYS,
    LEAK_DAYS,
    MAIN_DIAMETER_M,
    RESTORE_DAYS,
    SLOWED_DAYS,
    Damaged,
)

WATER_SERVED_FRACTION = 0.5
"""Share of demand (Wagner PDD) at which a junction counts as served (pressure ≥ 5 m)."""
NOT_CUSTOMER = {"substation", "regulator", "reservoir", "tank", "storage", "transmission"}


def customer_nodes(town: LifelineTown, kind: str) -> list[str]:
    """The node each building takes service from."""
    net = town.nets[kind]
    if kind == "water" and town.wn is not None:
        return selectors.hydrant_junctions(town.wn, town.arrays.xy_m)
    skip = NOT_CUSTOMER | set(SOURCE_TYPES.get(kind, ()))
    types = sorted({t for _, t in net.graph.nodes(data="component_type")} - skip)
    return nearest_nodes(net.graph, town.arrays.xy_m, types or None)


@dataclass(frozen=True, slots=True)
class ServiceState:
    """Per building: served or not by each network present; the raw engine results."""

    served: dict[str, NDArray[np.bool_]]
    power_nodes: frozenset[str] | None
    pumps_off: tuple[str, ...]
    water: WaterService | None
    gas_removed: tuple[str, ...]
    blockage: RoadBlockage | None
    blocked: tuple[str, ...]
    slowed: tuple[str, ...]


def service_state(
    town: LifelineTown,
    damage: Damage,
    customers: dict[str, list[str]],
    r: int,
    *,
    unrepaired: Collection[str] | None = None,
    hydraulics: bool = True,
) -> ServiceState:
    """Service with ``damage``; ``unrepaired`` (task ids ``system:key``) keeps only those."""

    def left(system: str, keys: Collection[str]) -> list[str]:
        return sorted(k for k in keys if unrepaired is None or f"{system}:{k}" in unrepaired)

    served: dict[str, NDArray[np.bool_]] = {}
    power_nodes = None
    if "power" in town.nets:
        result = power_service(
            town.nets["power"].graph, failed_nodes=left("power", damage.out["power"])
        )
        power_nodes = frozenset(n for n, ok in zip(result.nodes, result.served, strict=True) if ok)
        served["power"] = np.array([n in power_nodes for n in customers["power"]], dtype=bool)
    pumps_off: tuple[str, ...] = ()
    water = None
    if town.wn is not None:
        water, pumps_off = _water(town, damage, power_nodes, left, hydraulics)
        ok = dict(zip(water.junctions, water.served_fraction >= WATER_SERVED_FRACTION, strict=True))
        served["water"] = np.array([ok.get(j, True) for j in customers["water"]], dtype=bool)
    removed: tuple[str, ...] = ()
    if "gas" in town.nets and "gas" in damage.pipes:
        pipes = damage.pipes["gas"]
        result = gas_service(
            town.nets["gas"].graph,
            leaking=left("gas", pipes.leaking),
            broken=left("gas", pipes.broken),
            failed_nodes=left("gas", damage.out["gas"]),
        )
        ok_nodes = {n for n, ok in zip(result.nodes, result.served, strict=True) if ok}
        served["gas"] = np.array([n in ok_nodes for n in customers["gas"]], dtype=bool)
        removed = result.removed_links
    elif "gas" in town.nets:
        served["gas"] = np.ones(len(customers["gas"]), dtype=bool)
    blockage, blocked, slowed = _roads(town, damage, r, left)
    return ServiceState(served, power_nodes, pumps_off, water, removed, blockage, blocked, slowed)


def _water(town, damage, power_nodes, left, hydraulics):  # type: ignore[no-untyped-def]
    pumps = set(town.wn.pump_name_list)
    broken_plant = left("water", damage.out.get("water", frozenset()))
    closed = [k for k in broken_plant if k in pumps]
    for tank in (k for k in broken_plant if k not in pumps):
        closed += [
            name
            for name, link in town.wn.links()
            if tank in (link.start_node_name, link.end_node_name)
        ]
    unpowered = []
    if power_nodes is not None:
        feeds = selectors.pump_power_nodes(town.nets["power"], town.wn)
        unpowered = sorted(p for p, node in feeds.items() if node not in power_nodes)
    wn = selectors.disable_links(town.wn, sorted(set(closed)))
    pipes = damage.pipes.get("water")
    if pipes is not None:
        pipes = pipe_subset(pipes, set(left("water", pipes.keys)))
    if not hydraulics:
        from lifelines.engine.water import topological_water_service

        return topological_water_service(wn, pipes, pumps_off=unpowered), tuple(unpowered)
    return water_service(wn, pipes, pumps_off=unpowered), tuple(unpowered)


def _roads(town, damage, r, left):  # type: ignore[no-untyped-def]
    bridges = left("roads", damage.out.get("road", frozenset()))
    if "road" not in town.nets:
        return None, tuple(bridges), ()
    blockage = road_blockage(town.nets["road"].record, town.states_at(r))
    blocked = set(left("roads", blockage.blocked_keys)) | set(bridges)
    slowed = {k for k, s in zip(blockage.keys, blockage.slowed, strict=True) if s}
    slowed = set(left("roads", slowed)) - blocked
    return blockage, tuple(sorted(blocked)), tuple(sorted(slowed))


def damaged_components(
    town: LifelineTown, damage: Damage, state: ServiceState
) -> dict[str, list[Damaged]]:
    """Damaged components of every system with their position and crew-days."""
    out: dict[str, list[Damaged]] = {}
    for kind in ("water", "gas", "power"):
        net = town.nets.get(kind)
        if net is None:
            continue
        items: list[Damaged] = []
        pipes = damage.pipes.get(kind)
        links = {k.key: k for k in net.record.links}
        nodes = {n.key: n for n in net.record.nodes}
        if pipes is not None:
            for key, leaks, breaks in zip(pipes.keys, pipes.leaks, pipes.breaks, strict=True):
                if leaks + breaks:
                    link = links[key]
                    main = (link.diameter_m or 0.0) >= MAIN_DIAMETER_M
                    items.append(
                        Damaged(
                            key,
                            _middle(link.coords),
                            leaks * LEAK_DAYS + breaks * BREAK_DAYS,
                            kind == "water" and main,
                        )
                    )
        for key, ds in sorted(damage.states[kind].items()):
            if ds == 0:
                continue
            # EPANET lets a link share a node's name (Net1: reservoir 9, pump 9): a damaged
            # component is a link when a link of a component type has that key.
            named = links.get(key)
            if named is not None and named.component_type in RESTORE_DAYS:
                where, kind_of = _middle(named.coords), named.component_type
            else:
                where, kind_of = (nodes[key].x, nodes[key].y), nodes[key].component_type
            items.append(Damaged(key, where, RESTORE_DAYS[kind_of][ds], kind == "water"))
        out[kind] = items
    out["roads"] = _road_items(town, damage, state)
    return out


def _road_items(town: LifelineTown, damage: Damage, state: ServiceState) -> list[Damaged]:
    if "road" not in town.nets:
        return []
    links = {k.key: k for k in town.nets["road"].record.links}
    bridge_ds = damage.states.get("road", {})
    items = []
    for key in sorted(
        set(state.blocked) | set(state.slowed) | {k for k, d in bridge_ds.items() if d}
    ):
        days = BLOCKED_DAYS if key in state.blocked else SLOWED_DAYS if key in state.slowed else 0.0
        days += RESTORE_DAYS["bridge"][bridge_ds.get(key, 0)]
        items.append(Damaged(key, _middle(links[key].coords), days))
    return items


def road_weights(town: LifelineTown, items: list[Damaged], state: ServiceState) -> dict[str, float]:
    """Road length (m) a repair reopens: full for blocked links, half for slowed ones."""
    if "road" not in town.nets:
        return {}
    length = {k.key: k.length_m for k in town.nets["road"].record.links}
    return {
        d.key: length[d.key]
        * (1.0 if d.key in state.blocked else 0.5 if d.key in state.slowed else 0.0)
        for d in items
    }


def _middle(coords: Any) -> tuple[float, float]:
    xy = np.asarray(coords, dtype=np.float64)
    return float(xy[:, 0].mean()), float(xy[:, 1].mean())
