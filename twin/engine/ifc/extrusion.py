"""Exact shape summaries of simple extrusions, without the geometry kernel.

Most structural members are a single ``IfcExtrudedAreaSolid`` of a rectangle or a
straight-edged polygon. For those the prism's eight-or-more corner points follow from the
profile, the extrusion and the placement chain alone, so hull, lowest/highest point and
volume are exact and far cheaper than tessellating (measured: 1.7 ms per element through
``ifcopenshell.geom`` vs tens of µs here; see docs/benchmarks.md). An element qualifies when

* it has exactly one ``Body`` representation holding exactly one ``IfcExtrudedAreaSolid``;
* its profile is an ``IfcRectangleProfileDef`` or an ``IfcArbitraryClosedProfileDef`` whose
  outer curve is an ``IfcPolyline`` (no inner voids), exactly those classes (no subtypes);
* it has no openings (``HasOpenings``) and no projections (``HasProjections``), which the
  kernel would subtract or add;
* its placement chain is made of ``IfcLocalPlacement`` with ``IfcAxis2Placement3D``.

Everything else goes to the kernel as before (:mod:`twin.engine.ifc.geometry`). Results are
in metres (``length_m`` per project unit) like the kernel's.
"""

from __future__ import annotations

import math

import ifcopenshell
import numpy as np

Matrix = np.ndarray


class NotSimple(Exception):
    """The element needs the geometry kernel."""


def _unit(vector: tuple[float, ...] | None, default: tuple[float, float, float]) -> np.ndarray:
    v = np.asarray(vector if vector is not None else default, dtype=float)
    if v.shape[0] == 2:
        v = np.append(v, 0.0)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        raise NotSimple("zero direction")
    return v / norm


def _unit3(vector: tuple[float, ...] | None, default: tuple[float, float, float]) -> list[float]:
    """Normalised 3-vector in plain floats (numpy is slow on 3-element arrays)."""
    v = [float(c) for c in (vector if vector is not None else default)] + [0.0]
    x, y, z = v[0], v[1], v[2]
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0.0:
        raise NotSimple("zero direction")
    return [x / norm, y / norm, z / norm]


def axis_placement(placement: ifcopenshell.entity_instance | None) -> Matrix:
    """4x4 matrix of an ``IfcAxis2Placement3D`` (identity for None), project units."""
    if placement is None:
        return np.eye(4)
    if not placement.is_a("IfcAxis2Placement3D"):
        raise NotSimple(placement.is_a())
    axis, ref = placement.Axis, placement.RefDirection
    z = _unit3(axis.DirectionRatios if axis else None, (0.0, 0.0, 1.0))
    x = _unit3(ref.DirectionRatios if ref else None, (1.0, 0.0, 0.0))
    dot = x[0] * z[0] + x[1] * z[1] + x[2] * z[2]
    x = [x[0] - dot * z[0], x[1] - dot * z[1], x[2] - dot * z[2]]
    norm = math.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
    if norm < 1e-9:
        raise NotSimple("RefDirection parallel to Axis")
    x = [x[0] / norm, x[1] / norm, x[2] / norm]
    y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]]
    o = _point3(placement.Location)
    return np.array(
        [
            [x[0], y[0], z[0], o[0]],
            [x[1], y[1], z[1], o[1]],
            [x[2], y[2], z[2], o[2]],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


def _point3(point: ifcopenshell.entity_instance) -> tuple[float, float, float]:
    coords = (*(float(c) for c in point.Coordinates), 0.0, 0.0, 0.0)
    return coords[0], coords[1], coords[2]


class PlacementCache:
    """World matrices of ``IfcLocalPlacement`` chains, memoised by STEP id."""

    def __init__(self) -> None:
        self._cache: dict[int, Matrix] = {}

    def matrix(self, placement: ifcopenshell.entity_instance | None) -> Matrix:
        """Return the world 4x4 matrix (project units) of ``placement``."""
        if placement is None:
            return np.eye(4)
        key = placement.id()
        found = self._cache.get(key)
        if found is not None:
            return found
        if not placement.is_a("IfcLocalPlacement"):
            raise NotSimple(placement.is_a())
        local = axis_placement(placement.RelativePlacement)
        parent = placement.PlacementRelTo
        world = self.matrix(parent) @ local if parent is not None else local
        self._cache[key] = world
        return world


def _profile_points(profile: ifcopenshell.entity_instance) -> np.ndarray:
    """``(n, 2)`` corner points of a simple profile in its own plane (project units)."""
    kind = profile.is_a()
    if kind == "IfcRectangleProfileDef":
        hx, hy = float(profile.XDim) / 2.0, float(profile.YDim) / 2.0
        points = np.array([(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)])
    elif kind == "IfcArbitraryClosedProfileDef" and profile.OuterCurve.is_a("IfcPolyline"):
        raw = [tuple(float(c) for c in p.Coordinates[:2]) for p in profile.OuterCurve.Points]
        if len(raw) > 1 and raw[0] == raw[-1]:
            raw = raw[:-1]
        if len(raw) < 3:
            raise NotSimple("degenerate polyline")
        points = np.asarray(raw)
    else:
        raise NotSimple(kind)
    position = getattr(profile, "Position", None)
    if position is None:
        return points
    if not position.is_a("IfcAxis2Placement2D"):
        raise NotSimple("profile position")
    x = _unit(position.RefDirection.DirectionRatios if position.RefDirection else None, (1, 0, 0))
    y = np.array([-x[1], x[0]])
    origin = np.asarray(tuple(float(c) for c in position.Location.Coordinates[:2]))
    return origin + points[:, :1] * x[:2] + points[:, 1:2] * y


def _polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def solid_corners(product_shape: ifcopenshell.entity_instance) -> tuple[np.ndarray, float]:
    """Corner points ``(n, 4)`` homogeneous in the element frame and the volume (units³)."""
    bodies = [r for r in product_shape.Representations if r.RepresentationIdentifier == "Body"]
    if len(bodies) != 1 or len(bodies[0].Items) != 1:
        raise NotSimple("representation")
    solid = bodies[0].Items[0]
    if solid.is_a() != "IfcExtrudedAreaSolid":
        raise NotSimple(solid.is_a())
    profile = _profile_points(solid.SweptArea)
    direction = _unit(solid.ExtrudedDirection.DirectionRatios, (0.0, 0.0, 1.0))
    depth = float(solid.Depth)
    base = np.column_stack([profile, np.zeros(len(profile)), np.ones(len(profile))])
    top = base.copy()
    top[:, :3] += direction * depth
    corners = np.vstack([base, top]) @ axis_placement(solid.Position).T
    volume = _polygon_area(profile) * depth * abs(float(direction[2]))
    return corners, volume


def convex_hull_xy(points: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise, no repeated closing point) of ``(n, 2)`` points."""
    pts = sorted({(float(x), float(y)) for x, y in points})
    if len(pts) <= 2:
        return np.asarray(pts)

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.asarray(lower[:-1] + upper[:-1])


class ExtrusionReader:
    """Summaries of simple extrusions (module docstring), caching shared shapes."""

    def __init__(self, length_m: float) -> None:
        self.length_m = length_m
        self.placements = PlacementCache()
        self._shapes: dict[int, tuple[np.ndarray, float] | None] = {}

    def corners(self, element: ifcopenshell.entity_instance) -> tuple[np.ndarray, float]:
        """World corner points ``(n, 3)`` in metres and the volume in m³; NotSimple if not."""
        shape = element.Representation
        if shape is None or element.HasOpenings or getattr(element, "HasProjections", None):
            raise NotSimple("openings")
        key = shape.id()
        if key not in self._shapes:
            try:
                self._shapes[key] = solid_corners(shape)
            except NotSimple:
                self._shapes[key] = None
        local = self._shapes[key]
        if local is None:
            raise NotSimple("shape")
        world = local[0] @ self.placements.matrix(element.ObjectPlacement).T
        return world[:, :3] * self.length_m, local[1] * self.length_m**3
