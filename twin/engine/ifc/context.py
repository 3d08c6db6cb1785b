"""Shared per-file state of one IFC read: units, georeference, geometry, spatial tree.

Element counting convention: counts are by IFC class as written, except that
the deprecated ``*StandardCase`` / ``*ElementedCase`` subtypes are counted
under their parent (``IfcWallStandardCase`` -> ``IfcWall``), so IFC2X3 and
IFC4 files are comparable. Counted are physical elements (``IfcElement``
minus feature elements such as openings), spatial elements (site, building,
storey, space) and structural-analysis items.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.util.element

from twin.engine.ifc.geometry import ShapeInfo
from twin.engine.ifc.georef import GeoFrame
from twin.engine.records import Problem

COUNTED_ROOTS: tuple[str, ...] = (
    "IfcElement",
    "IfcSpatialStructureElement",
    "IfcStructuralMember",
    "IfcStructuralConnection",
)


@dataclass
class ReadContext:
    """State shared by the readers of one file.

    Attributes
    ----------
    model : ifcopenshell.file
        The opened model.
    length_m, area_m2, volume_m3 : float
        SI factors of the project length, area and volume units.
    frame : GeoFrame
        Georeference to apply to local metres.
    shapes : dict
        Element id -> tessellated ShapeInfo (metres).
    problems : list of Problem
        Problems collected so far.
    quantity_cache, material_cache : dict
        Decoded quantity sets and material summaries by STEP id (shared by many elements).
    """

    model: ifcopenshell.file
    length_m: float
    area_m2: float
    volume_m3: float
    frame: GeoFrame
    shapes: dict[int, ShapeInfo] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    quantity_cache: dict[int, dict[str, object]] = field(default_factory=dict)
    material_cache: dict[int, object] = field(default_factory=dict)


_CLASS_TESTS: dict[tuple[str, tuple[str, ...]], bool] = {}


def is_any(entity: ifcopenshell.entity_instance, classes: tuple[str, ...]) -> bool:
    """``any(entity.is_a(c) for c in classes)``, memoised per schema and class.

    Readers test every element against the same class lists; one ``is_a`` per test was a
    large share of the read time of files with 10^5 elements.
    """
    key = (entity.is_a(True), classes)
    found = _CLASS_TESTS.get(key)
    if found is None:
        found = _CLASS_TESTS[key] = any(entity.is_a(c) for c in classes)
    return found


_NORMALISED: dict[str, str] = {}


def normalised_class(entity: ifcopenshell.entity_instance) -> str:
    """Return the IFC class with StandardCase/ElementedCase folded into the parent."""
    name = entity.is_a()
    found = _NORMALISED.get(name)
    if found is None:
        found = _NORMALISED[name] = re.sub(r"(StandardCase|ElementedCase)$", "", name)
    return found


def is_counted(entity: ifcopenshell.entity_instance) -> bool:
    """Return True for entities included in element counts (see module docstring)."""
    if is_any(entity, ("IfcFeatureElement",)):
        return False
    return is_any(entity, COUNTED_ROOTS)


def count_classes(entities: list[ifcopenshell.entity_instance]) -> dict[str, int]:
    """Count entities by normalised class, sorted by class name."""
    counts = Counter(normalised_class(e) for e in entities if is_counted(e))
    return dict(sorted(counts.items()))


def file_counts(model: ifcopenshell.file) -> dict[str, int]:
    """Count every counted entity of the file (see module docstring)."""
    seen: dict[int, ifcopenshell.entity_instance] = {}
    for root in COUNTED_ROOTS:
        for entity in model.by_type(root):
            seen[entity.id()] = entity
    return count_classes(list(seen.values()))


def container_of(element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    """Return the spatial structure element holding ``element`` (through aggregate parents too)."""
    current: ifcopenshell.entity_instance | None = element
    for _ in range(32):  # guard against cyclic aggregation
        if current is None:
            return None
        container = ifcopenshell.util.element.get_container(current, should_get_direct=True)
        if container is not None:
            return container
        current = ifcopenshell.util.element.get_aggregate(current)
    return None


def building_of(
    structure: ifcopenshell.entity_instance | None,
) -> ifcopenshell.entity_instance | None:
    """Walk up the spatial aggregation from ``structure`` to its IfcBuilding, if any."""
    current = structure
    for _ in range(32):
        if current is None or current.is_a("IfcBuilding"):
            return current
        current = ifcopenshell.util.element.get_aggregate(current)
    return None


def storey_of(
    structure: ifcopenshell.entity_instance | None,
) -> ifcopenshell.entity_instance | None:
    """Walk up the spatial aggregation from ``structure`` (e.g. a space) to its storey."""
    current = structure
    for _ in range(32):
        if current is None or current.is_a("IfcBuildingStorey"):
            return current
        if current.is_a("IfcBuilding"):
            return None
        current = ifcopenshell.util.element.get_aggregate(current)
    return None
