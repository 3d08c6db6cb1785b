"""Element geometry through ``ifcopenshell.geom``: plan hulls, heights, volumes.

Shapes are produced in world coordinates (``use-world-coords``) and in metres
(ifcopenshell converts project units to SI). Only the element classes the
engine needs are tessellated, with one iterator pass per file. Openings are
subtracted (so geometric volumes are net volumes). When tessellation fails
for an element, it is simply absent from the result and the caller falls
back to the element's placement origin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.placement
import ifcopenshell.util.shape
import ifcopenshell.util.unit
import numpy as np
from shapely.geometry import MultiPoint

from twin.engine.ifc.extrusion import ExtrusionReader, NotSimple, convex_hull_xy

#: Element classes tessellated for footprints, heights and volumes.
GEOMETRY_CLASSES: tuple[str, ...] = (
    "IfcWall",
    "IfcSlab",
    "IfcColumn",
    "IfcBeam",
    "IfcMember",
    "IfcPlate",
    "IfcFooting",
    "IfcPile",
    "IfcRoof",
    "IfcStair",
    "IfcStairFlight",
    "IfcRamp",
    "IfcRampFlight",
    "IfcCurtainWall",
    "IfcChimney",
)


@dataclass(frozen=True)
class ShapeInfo:
    """Geometry summary of one element, local world coordinates in metres.

    Attributes
    ----------
    hull_xy : numpy.ndarray
        ``(n, 2)`` convex-hull vertices of the plan projection, m.
    z_min, z_max : float
        Lowest and highest vertex, m.
    volume_m3 : float or None
        Enclosed volume of the tessellated solid, m3 (None if not closed / zero).
    """

    hull_xy: np.ndarray
    z_min: float
    z_max: float
    volume_m3: float | None


def elements_of(
    model: ifcopenshell.file, classes: tuple[str, ...]
) -> list[ifcopenshell.entity_instance]:
    """Return the instances of ``classes`` (with subtypes) present in the schema, ordered by id."""
    found: dict[int, ifcopenshell.entity_instance] = {}
    for cls in classes:
        try:
            for element in model.by_type(cls):
                found[element.id()] = element
        except RuntimeError:  # class not in this schema (e.g. IfcChimney in IFC2X3)
            continue
    return [found[k] for k in sorted(found)]


def _corner_summary(corners: np.ndarray, volume: float) -> ShapeInfo:
    """ShapeInfo of an exact prism from its world corner points (m) and volume (m3)."""
    return ShapeInfo(
        convex_hull_xy(corners[:, :2].round(6)),
        float(corners[:, 2].min()),
        float(corners[:, 2].max()),
        volume if volume > 0.0 else None,
    )


def _summarise(verts: np.ndarray, geometry: Any) -> ShapeInfo | None:
    """Turn a vertex array and its ifcopenshell geometry into a ShapeInfo."""
    if verts.size == 0:
        return None
    hull = MultiPoint([tuple(p) for p in np.unique(verts[:, :2].round(6), axis=0)]).convex_hull
    if hull.geom_type == "Polygon":
        hull_xy = np.asarray(hull.exterior.coords)[:-1]
    else:
        hull_xy = (
            np.asarray(hull.coords) if hull.geom_type != "Point" else np.asarray([hull.coords[0]])
        )
    volume = abs(float(ifcopenshell.util.shape.get_volume(geometry)))
    return ShapeInfo(
        hull_xy,
        float(verts[:, 2].min()),
        float(verts[:, 2].max()),
        volume if volume > 0.0 else None,
    )


def _iterate(
    model: ifcopenshell.file, elements: list[ifcopenshell.entity_instance]
) -> Iterator[tuple[int, np.ndarray, Any]]:
    """Yield (STEP id, vertices (n, 3) m, geometry) for ``elements`` that tessellate."""
    with_shape = [e for e in elements if getattr(e, "Representation", None) is not None]
    if not with_shape:
        return
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    iterator = ifcopenshell.geom.iterator(
        settings, model, max(1, min(2, os.cpu_count() or 1)), include=with_shape
    )
    if not iterator.initialize():
        return
    while True:
        shape = iterator.get()
        yield (
            int(shape.id),
            np.asarray(shape.geometry.verts, dtype=float).reshape(-1, 3),
            shape.geometry,
        )
        if not iterator.next():
            break


def tessellate(
    model: ifcopenshell.file,
    elements: list[ifcopenshell.entity_instance],
    length_m: float | None = None,
) -> dict[int, ShapeInfo]:
    """Summarise each element's shape: simple extrusions exactly, the rest through the kernel.

    Parameters
    ----------
    model : ifcopenshell.file
        Opened model.
    elements : list of entity_instance
        Elements with a representation to tessellate.
    length_m : float, optional
        Metres per project length unit (read from the model when None).

    Returns
    -------
    dict
        Element STEP id -> ShapeInfo, for the elements that tessellated.

    Notes
    -----
    Single rectangle / polyline extrusions without openings are summarised from their
    corner points (:mod:`twin.engine.ifc.extrusion`), which is exact and about 50x
    faster than tessellation; only the others go through ``ifcopenshell.geom``.
    """
    if length_m is None:
        length_m = float(ifcopenshell.util.unit.calculate_unit_scale(model))
    fast = ExtrusionReader(length_m)
    result: dict[int, ShapeInfo] = {}
    kernel: list[ifcopenshell.entity_instance] = []
    for element in elements:
        if getattr(element, "Representation", None) is None:
            continue
        try:
            corners, volume = fast.corners(element)
        except NotSimple:
            kernel.append(element)
            continue
        result[element.id()] = _corner_summary(corners, volume)
    for step_id, verts, geometry in _iterate(model, kernel):
        info = _summarise(verts, geometry)
        if info is not None:
            result[step_id] = info
    return result


def tessellate_points(
    model: ifcopenshell.file, elements: list[ifcopenshell.entity_instance]
) -> dict[int, np.ndarray]:
    """Return element STEP id -> world vertices ``(n, 3)`` in metres, for tessellated elements."""
    return {step_id: verts for step_id, verts, _ in _iterate(model, elements) if verts.size}


def axis_ends(verts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the two ends (m) of a body along its principal axis (pipe centre line)."""
    centre = verts.mean(axis=0)
    _, _, vt = np.linalg.svd(verts - centre, full_matrices=False)
    axis = vt[0]
    t = (verts - centre) @ axis
    return centre + axis * t.min(), centre + axis * t.max()


def placement_origin_m(element: ifcopenshell.entity_instance, length_m: float) -> np.ndarray | None:
    """Return the world origin of an element's ObjectPlacement in metres, or None if it has none."""
    placement = getattr(element, "ObjectPlacement", None)
    if placement is None:
        return None
    matrix = ifcopenshell.util.placement.get_local_placement(placement)
    return np.asarray(matrix[:3, 3], dtype=float) * length_m
