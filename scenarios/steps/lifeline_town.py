"""The town as the lifelines, recovery and emergency steps see it, and its sampled damage.

Built once per step from the CIM (``lifelines.selectors``) and the hazard/buildings arrays
of the run. Damage of realisation ``r`` draws from seeds that depend only on the step seed,
``r`` and the purpose, so any subset of realisations gives the same values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from lifelines import selectors
from lifelines.engine.buildings import BuildingArrays, BuildingState, building_arrays
from lifelines.engine.damage import (
    DEFAULT_CLASS,
    PipeDamage,
    lifeline_fragilities,
    sample_component_damage,
    sample_pipe_damage,
)
from lifelines.engine.errors import LifelineError
from scenarios.pipeline import RunContext, StepFailed

log = logging.getLogger(__name__)

LIFELINE_REALISATIONS = 5
"""Realisations used for networks, hydraulics, fire, chemicals, recovery and emergency."""
COLLAPSE_STATE = 5
PURPOSES = {
    "water": 1,
    "gas": 2,
    "components": 3,
    "ignitions": 4,
    "fire": 5,
    "gas_events": 6,
    "gas_ignitions": 7,
    "chemical": 8,
}
NODE_COMPONENTS = {"water": ("tank",), "gas": ("regulator",), "power": ("substation", "generator")}
LINK_COMPONENTS = {"water": ("pump",), "road": ("bridge",)}


def seed(base: int, r: int, purpose: str) -> int:
    """A seed for realisation ``r`` and ``purpose`` (independent of the other realisations)."""
    return int(np.random.SeedSequence([base, r, PURPOSES[purpose]]).generate_state(1)[0])


@dataclass(slots=True)
class LifelineTown:
    """Networks, buildings, facilities and hazard of one run, in the town's metric CRS."""

    epsg: int
    nets: dict[str, selectors.TownNetwork]
    wn: Any
    states: list[BuildingState]
    arrays: BuildingArrays
    facilities: list[selectors.FacilitySite]
    road: nx.MultiGraph
    hazard: dict[str, NDArray[Any]]
    damage_state: NDArray[np.int64]  # (B, R), 0..5
    realisations: int
    notes: list[str] = field(default_factory=list)
    _columns: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def building_ids(self) -> NDArray[np.int64]:
        return np.asarray(self.hazard["building_id"], dtype=np.int64)

    def column(self, site: str, db_ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Columns of the hazard arrays of ``site`` (node, link, building) for DB ids."""
        if site not in self._columns:
            ids = self.hazard[f"{site}_id"]
            self._columns[site] = {int(i): k for k, i in enumerate(ids)}
        return np.array([self._columns[site][int(i)] for i in db_ids], dtype=np.int64)

    def states_at(self, r: int) -> list[BuildingState]:
        """Buildings with the Hazus damage state (0..4) of realisation ``r``."""
        from dataclasses import replace

        ds = np.minimum(self.damage_state[:, r], 4)
        return [replace(b, damage_state=int(d)) for b, d in zip(self.states, ds, strict=True)]

    def population(self, time_of_day: str) -> NDArray[np.float64]:
        """People in each building at the scenario's time of day (2 AM night, 2 PM day, 5 PM mean)."""
        day, night = self.arrays.population_day, self.arrays.population_night
        return {"2AM": night, "2PM": day}.get(time_of_day, 0.5 * (day + night))

    def facility_xy(self, kind: str) -> tuple[list[selectors.FacilitySite], NDArray[np.float64]]:
        sites = [f for f in self.facilities if f.kind == kind]
        return sites, np.array([(f.x_m, f.y_m) for f in sites]).reshape(-1, 2)


def load_town(ctx: RunContext) -> LifelineTown:
    """Read the CIM and the run's hazard and building damage."""
    hazard = ctx.load_arrays("hazard")
    damage = ctx.load_arrays("buildings")
    if not np.array_equal(hazard["building_id"], damage["building_id"]):
        raise StepFailed("hazard and building results list different buildings; rerun the run")
    try:
        nets = selectors.town_networks(ctx.town)
        states = selectors.building_states(ctx.town, [int(i) for i in hazard["building_id"]])
        wn = selectors.water_model(nets["water"]) if "water" in nets else None
        arrays = building_arrays(states)
    except LifelineError as exc:
        raise StepFailed(f"lifeline inputs: {exc}") from exc
    facilities = selectors.town_facilities(ctx.town)
    epsg = selectors.metric_epsg(ctx.town)
    notes = [
        f"no {kind} network: its outputs take neutral values"
        for kind in ("water", "gas", "power", "road")
        if kind not in nets
    ]
    if "road" in nets:
        road = nets["road"].graph
    else:
        points = np.vstack([arrays.xy_m, *[np.array([(f.x_m, f.y_m)]) for f in facilities]])
        road = selectors.straight_line_roads(points, epsg)
    for note in notes:
        log.info("%s: %s", ctx.town.slug, note)
    R = int(damage["damage_state"].shape[1])
    return LifelineTown(
        epsg,
        nets,
        wn,
        states,
        arrays,
        facilities,
        road,
        hazard,
        np.asarray(damage["damage_state"], dtype=np.int64),
        R,
        notes,
    )


@dataclass(frozen=True, slots=True)
class Damage:
    """Sampled network damage of one realisation.

    ``pipes[kind]``: pipe damage of the water / gas network; ``states[kind]``: damage state
    0..4 of each component (key → state) of the types in NODE_/LINK_COMPONENTS;
    ``out[kind]``: keys of components out of service.
    """

    pipes: dict[str, PipeDamage]
    states: dict[str, dict[str, int]]
    out: dict[str, frozenset[str]]


def sample_damage(town: LifelineTown, r: int, base_seed: int) -> Damage:
    """Pipe repairs (PGV at link midpoints) and component damage (PGA, Sa(1 s) for bridges)."""
    pipes: dict[str, PipeDamage] = {}
    for kind in ("water", "gas"):
        net = town.nets.get(kind)
        if net is None:
            continue
        index = [k for k, link in enumerate(net.record.links) if link.component_type == "pipe"]
        if not index:
            continue
        links = [net.record.links[k] for k in index]
        pgv = town.hazard["link_pgv_cm_s"][r, town.column("link", net.link_ids[index])]
        pipes[kind] = sample_pipe_damage(
            [k.key for k in links],
            np.array([k.length_m for k in links]),
            [k.material for k in links],
            pgv,
            seed=seed(base_seed, r, kind),
        )
    states: dict[str, dict[str, int]] = {}
    out: dict[str, frozenset[str]] = {}
    for kind, net in town.nets.items():
        keys, types, im = _components(town, net, r)
        ds = (
            sample_component_damage(types, im, seed=seed(base_seed, r, "components") + len(kind))
            if keys
            else np.zeros(0, dtype=np.int64)
        )
        states[kind] = {k: int(d) for k, d in zip(keys, ds, strict=True)}
        table = lifeline_fragilities()
        out[kind] = frozenset(
            k
            for k, t, d in zip(keys, types, ds, strict=True)
            if d >= table[DEFAULT_CLASS[t]].out_of_service_from
        )
    return Damage(pipes, states, out)


def _components(
    town: LifelineTown, net: selectors.TownNetwork, r: int
) -> tuple[list[str], list[str], NDArray[np.float64]]:
    keys: list[str] = []
    types: list[str] = []
    ims: list[float] = []
    node_types = NODE_COMPONENTS.get(net.kind, ())
    nodes = [k for k, n in enumerate(net.record.nodes) if n.component_type in node_types]
    if nodes:
        pga = town.hazard["node_pga_g"][r, town.column("node", net.node_ids[nodes])]
        keys += [net.record.nodes[k].key for k in nodes]
        types += [net.record.nodes[k].component_type for k in nodes]
        ims += pga.tolist()
    link_types = LINK_COMPONENTS.get(net.kind, ())
    links = [k for k, link in enumerate(net.record.links) if link.component_type in link_types]
    if links:
        cols = town.column("link", net.link_ids[links])
        for k, c in zip(links, cols, strict=True):
            link = net.record.links[k]
            im = "link_sa10_g" if link.component_type == "bridge" else "link_pga_g"
            keys.append(link.key)
            types.append(link.component_type)
            ims.append(float(town.hazard[im][r, c]))
    return keys, types, np.asarray(ims, dtype=np.float64)


def pipe_subset(damage: PipeDamage, keep: set[str]) -> PipeDamage:
    """The same realisation with only the repairs of pipes in ``keep`` (others repaired)."""
    mask_pipe = np.array([k in keep for k in damage.keys], dtype=bool)
    mask = mask_pipe[damage.repair_pipe] if damage.repair_pipe.size else np.zeros(0, bool)
    return PipeDamage(
        damage.keys,
        damage.repair_rate_per_km,
        damage.expected_repairs,
        np.where(mask_pipe, damage.leaks, 0),
        np.where(mask_pipe, damage.breaks, 0),
        damage.repair_pipe[mask],
        damage.repair_fraction[mask],
        damage.repair_is_break[mask],
        damage.unknown_material,
    )
