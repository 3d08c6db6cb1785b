"""Per-link results of the lifelines step, for the dashboard's lifeline colours.

For every link of the water, gas, power and road networks the run keeps its database id and
key, whether it carries service on day 0 in each lifeline realisation, and the damage state of
the links that are fragile components (pumps, bridges) in every realisation. Pipe leaks and
breaks and road blockage are kept by ``lifeline_store`` already. The API turns these arrays into
a per-link layer (``scenarios/api/lifeline_layer.py``; layout in docs/scenarios/run-chain.md).

A link is **in service** on day 0 when:

* water: both end nodes are served (junctions: PDD served fraction ≥ ``WATER_SERVED_FRACTION``;
  a tank out of service is not), it has no break, and it is not a pump that is broken or
  without power;
* gas: valve isolation did not take it out and both end nodes are still fed;
* power: both end nodes are connected to a working source;
* road: debris or a failed bridge does not block it (a slowed road is in service).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifelines.engine.damage import DEFAULT_CLASS, lifeline_fragilities
from lifelines.engine.service import gas_service
from scenarios.steps.lifeline_service import WATER_SERVED_FRACTION, ServiceState
from scenarios.steps.lifeline_town import LINK_COMPONENTS, Damage, LifelineTown

LINK_KINDS = ("water", "gas", "power", "road")


def link_arrays(
    town: LifelineTown, states: list[ServiceState], damages: list[Damage]
) -> dict[str, NDArray[Any]]:
    """Arrays of every network present, named ``<kind>_link_*``.

    Parameters
    ----------
    town : LifelineTown
        The run's networks (links in key order, with their database ids).
    states : list of ServiceState
        Day-0 service of the first L realisations.
    damages : list of Damage
        Sampled damage of all R realisations (``damages[r]`` matches ``states[r]``).

    Returns
    -------
    dict
        ``<kind>_link_id`` (K) int64, ``<kind>_link_key`` (K) str, ``<kind>_link_served_day0``
        (L, K) bool; for kinds with fragile link components also ``<kind>_link_component_ds``
        (R, K) int8 — Hazus damage state 0..4, −1 for links that are not components — and
        ``<kind>_link_component_out`` (R, K) bool, out of service.
    """
    out: dict[str, NDArray[Any]] = {}
    for kind in LINK_KINDS:
        net = town.nets.get(kind)
        if net is None:
            continue
        keys = [link.key for link in net.record.links]
        out[f"{kind}_link_id"] = np.asarray(net.link_ids, dtype=np.int64)
        out[f"{kind}_link_key"] = np.array(keys, dtype=str)
        served = [
            _served_links(town, kind, state, damage)
            for state, damage in zip(states, damages[: len(states)], strict=True)
        ]
        if served and all(s is not None for s in served):
            out[f"{kind}_link_served_day0"] = np.array(served, dtype=bool).reshape(-1, len(keys))
        if kind in LINK_COMPONENTS:
            ds, down = _component_states(town, kind, damages)
            out[f"{kind}_link_component_ds"] = ds
            out[f"{kind}_link_component_out"] = down
    return out


def _served_links(
    town: LifelineTown, kind: str, state: ServiceState, damage: Damage
) -> NDArray[np.bool_] | None:
    """Day-0 service of each link of ``kind`` in one realisation (None: no service model)."""
    links = town.nets[kind].record.links
    if kind == "road":
        blocked = set(state.blocked)
        return np.array([link.key not in blocked for link in links], dtype=bool)
    if kind == "power":
        if state.power_nodes is None:
            return None
        fed = state.power_nodes
        return np.array([link.start in fed and link.end in fed for link in links], dtype=bool)
    if kind == "water":
        return _water_links(town, state, damage)
    return _gas_links(town, damage)


def _water_links(
    town: LifelineTown, state: ServiceState, damage: Damage
) -> NDArray[np.bool_] | None:
    if state.water is None or town.wn is None:
        return None
    net = town.nets["water"]
    junction_ok = dict(
        zip(
            state.water.junctions,
            state.water.served_fraction >= WATER_SERVED_FRACTION,
            strict=True,
        )
    )
    out = damage.out.get("water", frozenset())
    tanks_down = {n.key for n in net.record.nodes if n.component_type == "tank" and n.key in out}
    pumps = set(town.wn.pump_name_list)
    pipes = damage.pipes.get("water")
    closed = set(state.pumps_off) | {k for k in out if k in pumps}
    closed |= set(pipes.broken) if pipes is not None else set()

    def node_ok(key: str) -> bool:
        return bool(junction_ok.get(key, key not in tanks_down))

    return np.array(
        [
            link.key not in closed and node_ok(link.start) and node_ok(link.end)
            for link in net.record.links
        ],
        dtype=bool,
    )


def _gas_links(town: LifelineTown, damage: Damage) -> NDArray[np.bool_]:
    net = town.nets["gas"]
    pipes = damage.pipes.get("gas")
    if pipes is None:  # no pipes to damage: the step counts every customer as served
        return np.ones(len(net.record.links), dtype=bool)
    # the same call as the day-0 service (lifeline_service.service_state), for its node states
    result = gas_service(
        net.graph,
        leaking=sorted(pipes.leaking),
        broken=sorted(pipes.broken),
        failed_nodes=sorted(damage.out["gas"]),
    )
    fed = {n for n, ok in zip(result.nodes, result.served, strict=True) if ok}
    removed = set(result.removed_links)
    return np.array(
        [
            link.key not in removed and link.start in fed and link.end in fed
            for link in net.record.links
        ],
        dtype=bool,
    )


def _component_states(
    town: LifelineTown, kind: str, damages: list[Damage]
) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
    """Damage state (−1: not a component) and out-of-service flag of each link, per realisation."""
    links = town.nets[kind].record.links
    types = LINK_COMPONENTS[kind]
    table = lifeline_fragilities()
    ds = np.full((len(damages), len(links)), -1, dtype=np.int8)
    down = np.zeros((len(damages), len(links)), dtype=bool)
    for k, link in enumerate(links):
        if link.component_type not in types:
            continue
        threshold = table[DEFAULT_CLASS[link.component_type]].out_of_service_from
        for r, damage in enumerate(damages):
            state = damage.states.get(kind, {}).get(link.key, 0)
            ds[r, k] = state
            down[r, k] = state >= threshold
    return ds, down
