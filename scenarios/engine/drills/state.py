"""Drill state and injects.

A drill state is a snapshot of the damaged town at a drill time: buildings with occupants,
trapped and injured people and a damage state (Hazus 0 none .. 4 complete), shelters with
capacities, hospitals with beds, and the road graph with the roads closed so far. Injects
(aftershock, new ignition, road closure, hospital power loss) return a new state; the road
graph itself is never modified (closures are a set of edges), so states are cheap to keep.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace

import networkx as nx

from scenarios.engine.errors import DrillError

#: Hazus damage states: 0 none, 1 slight, 2 moderate, 3 extensive, 4 complete.
DAMAGE_STATES = range(5)
#: Occupants leave buildings at or above this damage state (extensive: unsafe to occupy).
EVACUATE_MIN_DAMAGE_STATE = 3
#: Share of beds a hospital keeps on backup power after losing grid power (platform default).
BACKUP_POWER_BED_SHARE = 0.3

Node = Hashable


@dataclass(frozen=True, slots=True)
class Building:
    """A building in the drill: people counts are persons at the drill time."""

    id: str
    node: Node
    occupants: int
    trapped: int = 0
    injured: int = 0
    damage_state: int = 0
    threatened: bool = False

    @property
    def must_evacuate(self) -> bool:
        """Whether the building's free occupants must go to a shelter."""
        return self.damage_state >= EVACUATE_MIN_DAMAGE_STATE or self.threatened


@dataclass(frozen=True, slots=True)
class Shelter:
    """An emergency shelter at road node ``node`` with ``capacity`` places (persons)."""

    id: str
    node: Node
    capacity: int


@dataclass(frozen=True, slots=True)
class Hospital:
    """A hospital at road node ``node``; ``beds`` free for casualties while powered."""

    id: str
    node: Node
    beds: int
    powered: bool = True
    backup_bed_share: float = BACKUP_POWER_BED_SHARE

    @property
    def beds_available(self) -> int:
        """Beds usable now (a share of the beds on backup power)."""
        return self.beds if self.powered else int(self.beds * self.backup_bed_share)


@dataclass(frozen=True, slots=True)
class DrillState:
    """The town at drill time ``time_s`` (seconds after the earthquake)."""

    roads: nx.Graph
    buildings: tuple[Building, ...]
    shelters: tuple[Shelter, ...]
    hospitals: tuple[Hospital, ...]
    closed_roads: frozenset[frozenset[Node]] = frozenset()
    time_s: float = 0.0
    log: tuple[str, ...] = field(default=())

    def building(self, building_id: str) -> Building:
        """The building ``building_id``."""
        for b in self.buildings:
            if b.id == building_id:
                return b
        raise DrillError(f"unknown building {building_id!r}; check the inject's building ids")

    def open_roads(self) -> nx.Graph:
        """A view of the road graph without the closed roads."""
        closed = self.closed_roads
        return nx.subgraph_view(
            self.roads, filter_edge=lambda u, v: frozenset((u, v)) not in closed
        )


@dataclass(frozen=True, slots=True)
class BuildingDamage:
    """An aftershock's effect on one building: new damage state, people newly trapped/injured."""

    building_id: str
    damage_state: int
    trapped: int = 0
    injured: int = 0


@dataclass(frozen=True, slots=True)
class Aftershock:
    """Aftershock at ``time_s``: more damage, occupants newly trapped or injured."""

    time_s: float
    damage: tuple[BuildingDamage, ...]


@dataclass(frozen=True, slots=True)
class Ignition:
    """New ignition at ``time_s`` in ``building_id``; ``threatened`` buildings must evacuate."""

    time_s: float
    building_id: str
    threatened: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoadClosure:
    """Road between nodes ``u`` and ``v`` closed at ``time_s`` (debris, collapse, fire)."""

    time_s: float
    u: Node
    v: Node


@dataclass(frozen=True, slots=True)
class HospitalPowerLoss:
    """Hospital ``hospital_id`` loses grid power at ``time_s``: only backup beds remain."""

    time_s: float
    hospital_id: str


Inject = Aftershock | Ignition | RoadClosure | HospitalPowerLoss


def validate_state(state: DrillState) -> None:
    """Check ids are unique, nodes are on the road graph, counts non-negative.

    Raises
    ------
    DrillError
        Naming the first offending building, shelter or hospital.
    """
    for kind, items in (
        ("building", state.buildings),
        ("shelter", state.shelters),
        ("hospital", state.hospitals),
    ):
        ids = [x.id for x in items]
        if len(set(ids)) != len(ids):
            raise DrillError(f"duplicate {kind} id among {sorted(ids)[:5]}...; ids must be unique")
        for x in items:
            if x.node not in state.roads:
                raise DrillError(
                    f"{kind} {x.id!r} sits on node {x.node!r} which is not on the road graph"
                )
    for b in state.buildings:
        if min(b.occupants, b.trapped, b.injured) < 0 or b.damage_state not in DAMAGE_STATES:
            raise DrillError(f"building {b.id!r}: negative people counts or damage state not 0-4")
    if any(s.capacity < 0 for s in state.shelters) or any(h.beds < 0 for h in state.hospitals):
        raise DrillError("shelter capacities and hospital beds must be non-negative")
    for u, v, data in state.roads.edges(data=True):
        if not float(data.get("travel_s", -1.0)) >= 0.0:
            raise DrillError(f"road {u!r}-{v!r} lacks a non-negative travel_s (seconds)")


def apply_inject(state: DrillState, inject: Inject) -> DrillState:
    """Return the state after ``inject`` (time advances to the inject's time).

    Raises
    ------
    DrillError
        Unknown building, hospital or road, or an inject earlier than the state's time.
    """
    if inject.time_s < state.time_s:
        raise DrillError(
            f"inject at t={inject.time_s:g} s is before the drill time {state.time_s:g} s"
        )
    state = replace(state, time_s=inject.time_s)
    if isinstance(inject, Aftershock):
        return _aftershock(state, inject)
    if isinstance(inject, Ignition):
        ids = {inject.building_id, *inject.threatened}
        for bid in ids:
            state.building(bid)
        buildings = tuple(
            replace(b, threatened=True) if b.id in ids else b for b in state.buildings
        )
        return replace(
            state,
            buildings=buildings,
            log=(*state.log, f"ignition in {inject.building_id}, {len(ids)} buildings threatened"),
        )
    if isinstance(inject, RoadClosure):
        if not state.roads.has_edge(inject.u, inject.v):
            raise DrillError(f"road closure: no road between {inject.u!r} and {inject.v!r}")
        closed = state.closed_roads | {frozenset((inject.u, inject.v))}
        return replace(
            state, closed_roads=closed, log=(*state.log, f"road {inject.u}-{inject.v} closed")
        )
    return _power_loss(state, inject)


def _aftershock(state: DrillState, inject: Aftershock) -> DrillState:
    by_id: Mapping[str, BuildingDamage] = {d.building_id: d for d in inject.damage}
    for bid in by_id:
        state.building(bid)
    out = []
    for b in state.buildings:
        d = by_id.get(b.id)
        if d is None:
            out.append(b)
            continue
        if d.damage_state not in DAMAGE_STATES or min(d.trapped, d.injured) < 0:
            raise DrillError(f"aftershock on {b.id!r}: damage state 0-4 and non-negative counts")
        trapped = min(d.trapped, b.occupants)
        injured = min(d.injured, b.occupants - trapped)
        out.append(
            replace(
                b,
                damage_state=max(b.damage_state, d.damage_state),
                occupants=b.occupants - trapped - injured,
                trapped=b.trapped + trapped,
                injured=b.injured + injured,
            )
        )
    return replace(
        state, buildings=tuple(out), log=(*state.log, f"aftershock damages {len(by_id)} buildings")
    )


def _power_loss(state: DrillState, inject: HospitalPowerLoss) -> DrillState:
    if inject.hospital_id not in {h.id for h in state.hospitals}:
        raise DrillError(f"unknown hospital {inject.hospital_id!r} in power-loss inject")
    hospitals = tuple(
        replace(h, powered=False) if h.id == inject.hospital_id else h for h in state.hospitals
    )
    return replace(
        state,
        hospitals=hospitals,
        log=(*state.log, f"hospital {inject.hospital_id} on backup power"),
    )
