"""Frozen records exchanged between the CIM readers and the Django shell.

Every reader in :mod:`twin.engine` returns these records; the shell (``twin.services``)
writes them to the database in one transaction. Units are SI throughout (metres,
kilograms, square metres); geometry is WKT with an explicit EPSG code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NetworkKind = Literal["water", "gas", "power", "road", "heating", "drainage"]


class CimImportError(ValueError):
    """Input rejected as a whole; the message is one line a planner can act on."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A per-element problem that did not stop the import.

    ``code`` is a stable machine-readable slug (e.g. ``pipe-unconnected``),
    ``element`` the GlobalId / feature id concerned, if any.
    """

    code: str
    message: str
    element: str | None = None


@dataclass(frozen=True, slots=True)
class Georeference:
    """How local model coordinates map to the earth.

    ``method`` is ``"IfcMapConversion"``, ``"IfcSite"`` (RefLatitude/RefLongitude with a
    local tangent plane), ``"user"`` (placement given on the command line) or ``"none"``.
    ``epsg`` is the CRS of the footprints the reader produced.
    """

    method: str
    epsg: int
    latitude_deg: float | None = None
    longitude_deg: float | None = None
    elevation_m: float = 0.0
    true_north_deg: float = 0.0


@dataclass(frozen=True, slots=True)
class StoreyRecord:
    """One building storey. ``mass_kg`` and ``floor_area_m2`` may be estimates (see ``basis``)."""

    global_id: str
    name: str
    elevation_m: float
    height_m: float | None
    mass_kg: float | None
    floor_area_m2: float | None
    element_counts: dict[str, int] = field(default_factory=dict)
    basis: str = ""


@dataclass(frozen=True, slots=True)
class BuildingRecord:
    """One building of the city information model.

    ``footprint_wkt`` is a POLYGON or MULTIPOLYGON in ``footprint_epsg``.
    ``structural_system`` uses the Hazus model-building-type vocabulary (``W1``, ``C1L`` ...);
    ``imputed`` lists the attribute names whose values were inferred, not read.
    """

    global_id: str
    name: str
    footprint_wkt: str | None
    footprint_epsg: int
    height_m: float | None = None
    storeys_above_ground: int | None = None
    structural_system: str | None = None
    design_era: str | None = None
    fortification_intensity: float | None = None
    occupancy: str | None = None
    floor_area_m2: float | None = None
    day_population: float | None = None
    night_population: float | None = None
    replacement_cost: float | None = None
    storeys: tuple[StoreyRecord, ...] = ()
    element_counts: dict[str, int] = field(default_factory=dict)
    materials: tuple[str, ...] = ()
    imputed: dict[str, str] = field(default_factory=dict)
    source: str = ""
    source_attributes: dict[str, str] = field(default_factory=dict)
    """Raw source tags the imputation rules read (``building``, ``use``, ``year``)."""
    isolated: bool = False
    """Seismically isolated (base isolation bearings under the superstructure)."""


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A network node at ``(x, y)`` in the network's EPSG; ``key`` is unique in the network."""

    key: str
    x: float
    y: float
    component_type: str
    elevation_m: float | None = None
    attributes: dict[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A network link between two node keys; ``coords`` is the polyline including both ends."""

    key: str
    start: str
    end: str
    component_type: str
    coords: tuple[tuple[float, float], ...]
    length_m: float
    diameter_m: float | None = None
    material: str | None = None
    attributes: dict[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NetworkRecord:
    """A lifeline network: nodes and links in ``epsg``."""

    kind: NetworkKind
    name: str
    epsg: int
    nodes: tuple[NodeRecord, ...]
    links: tuple[LinkRecord, ...]
    source: str = ""
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class IfcSummary:
    """Everything an IFC file contributed, plus the problems met reading it."""

    schema: str
    file_name: str
    length_unit_m: float
    georeference: Georeference
    buildings: tuple[BuildingRecord, ...]
    networks: tuple[NetworkRecord, ...]
    element_counts: dict[str, int]
    problems: tuple[Problem, ...] = ()


FacilityKind = Literal[
    "hospital", "school", "shelter", "fire_station", "hazchem_site", "police", "command_centre"
]


@dataclass(frozen=True, slots=True)
class FacilityRecord:
    """A key facility at ``(x, y)`` in the CRS of the town it belongs to.

    ``capacity`` is beds (hospital), pupils (school), people (shelter) or engines (fire
    station); ``building`` is the ``global_id`` of the building that houses it, if any;
    ``substance`` and ``inventory_kg`` describe a hazardous-chemical site.
    """

    kind: FacilityKind
    name: str
    x: float
    y: float
    capacity: float | None = None
    building: str | None = None
    substance: str = ""
    inventory_kg: float | None = None
    attributes: dict[str, float | str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SiteZoneRecord:
    """An area of uniform site conditions: GB 50011 site class and Vs30 (m/s).

    ``area_wkt`` is a POLYGON or MULTIPOLYGON in the CRS of the town it belongs to.
    """

    name: str
    area_wkt: str
    site_class: str
    vs30_m_s: float | None = None
    source: str = ""
