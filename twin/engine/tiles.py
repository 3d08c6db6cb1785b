"""3D Tiles 1.1 of extruded building footprints: batched GLB with per-building metadata.

Pure numpy + shapely + struct. Each tile is one glTF 2.0 binary holding every building of a
grid cell as one triangle mesh; the vertex attribute ``_FEATURE_ID_0`` (EXT_mesh_features)
points into a property table (EXT_structural_metadata) with one row per building, so a client
can pick a building, read its attributes and style it by them.

Positions are Earth-centred (WGS 84 ECEF) offsets from the tile centre, which goes into the
tile's ``transform``; glTF is y-up, so a point (X, Y, Z) is written as (X, Z, −Y) and Cesium's
default y-up → z-up rotation puts it back. Ground is the ellipsoid (height 0), like the entity
view.

References
----------
3D Tiles 1.1, https://docs.ogc.org/cs/22-025r4/22-025r4.html; glTF 2.0 with
EXT_mesh_features and EXT_structural_metadata (Cesium, 2022).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

WGS84_A = 6378137.0
WGS84_E2 = 6.69437999014e-3
DEFAULT_HEIGHT_M = 3.0
FLOAT32, UINT32, UINT16 = 5126, 5125, 5123
NO_DATA = -1.0  # numeric attributes are non-negative; −1 marks a missing value


class TilesError(ValueError):
    """Footprints that cannot be turned into tiles."""


@dataclass(frozen=True, slots=True)
class Column:
    """One per-building attribute: ``kind`` is ``STRING``, ``FLOAT32``, ``FLOAT64`` or ``UINT32``."""

    name: str
    kind: str
    values: Sequence[Any]


@dataclass(frozen=True, slots=True)
class Buildings:
    """Footprints (shapely polygons/multipolygons in lon/lat degrees), heights and attributes."""

    footprints: NDArray[Any]
    height_m: NDArray[np.float64]
    columns: Sequence[Column] = field(default_factory=tuple)

    def subset(self, index: NDArray[np.int64]) -> Buildings:
        cols = [Column(c.name, c.kind, [c.values[i] for i in index]) for c in self.columns]
        return Buildings(self.footprints[index], self.height_m[index], cols)


def ecef(lon_deg: NDArray[Any], lat_deg: NDArray[Any], h_m: NDArray[Any]) -> NDArray[np.float64]:
    """WGS 84 geodetic → Earth-centred Earth-fixed coordinates, m (shape (..., 3))."""
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * np.sin(lat) ** 2)
    x = (n + h_m) * np.cos(lat) * np.cos(lon)
    y = (n + h_m) * np.cos(lat) * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + h_m) * np.sin(lat)
    return np.stack([x, y, z], axis=-1)


def up_vector(lon_deg: NDArray[Any], lat_deg: NDArray[Any]) -> NDArray[np.float64]:
    """Ellipsoid normal (local up) at each point."""
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def extrude(buildings: Buildings) -> tuple[NDArray[np.float64], NDArray[np.float32], NDArray[Any]]:
    """Triangles of roofs and walls: ECEF positions (3·T, 3), normals (3·T, 3), feature ids (3·T)."""
    polys = shapely.orient_polygons(buildings.footprints, exterior_cw=False)
    heights = np.where(
        np.isfinite(buildings.height_m) & (buildings.height_m > 0),
        buildings.height_m,
        DEFAULT_HEIGHT_M,
    )
    roof_xy, roof_id = _roof_triangles(polys)
    wall_xy, wall_h, wall_id = _wall_triangles(polys, heights)
    lon = np.concatenate([roof_xy[..., 0].ravel(), wall_xy[..., 0].ravel()])
    lat = np.concatenate([roof_xy[..., 1].ravel(), wall_xy[..., 1].ravel()])
    h = np.concatenate([np.repeat(heights[roof_id], 3), wall_h.ravel()])
    positions = ecef(lon, lat, h)
    up = up_vector(lon, lat)
    n_roof = 3 * len(roof_id)
    normals = np.empty_like(positions)
    normals[:n_roof] = up[:n_roof]
    if len(wall_id):
        p = positions[n_roof:].reshape(-1, 3, 3)
        # first edge of (a0, b0, bTop) is the wall's base, of (a0, bTop, aTop) its diagonal:
        # both give base × up, the outward normal (the solid lies left of the base)
        edge = p[:, 1] - p[:, 0]
        wall_up = up[n_roof:].reshape(-1, 3, 3)[:, 0]
        outward = np.cross(edge, wall_up)
        outward /= np.maximum(np.linalg.norm(outward, axis=1, keepdims=True), 1e-12)
        normals[n_roof:] = np.repeat(outward, 3, axis=0)
    ids = np.concatenate([np.repeat(roof_id, 3), np.repeat(wall_id, 3)])
    return positions, normals.astype(np.float32), ids


def _roof_triangles(polys: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    tris = shapely.constrained_delaunay_triangles(polys)
    parts, index = shapely.get_parts(tris, return_index=True)
    if len(parts) == 0:
        return np.zeros((0, 3, 2)), np.zeros(0, np.int64)
    coords = shapely.get_coordinates(parts).reshape(len(parts), 4, 2)[:, :3]
    a, b, c = coords[:, 0], coords[:, 1], coords[:, 2]
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    coords[cross < 0] = coords[cross < 0][:, ::-1]  # counter-clockwise seen from above
    return coords, index.astype(np.int64)


def _wall_triangles(
    polys: NDArray[Any], heights: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    rings, ring_building = shapely.get_rings(polys, return_index=True)
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same = ring_index[1:] == ring_index[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    building = ring_building[ring_index[:-1][same]].astype(np.int64)
    top = heights[building]
    zero = np.zeros_like(top)
    # exterior rings run counter-clockwise, holes clockwise: the solid is on the left
    xy = np.stack([start, end, end, start, end, start], axis=1)
    hh = np.stack([zero, zero, top, zero, top, top], axis=1)
    return xy.reshape(-1, 3, 2), hh.reshape(-1, 3), np.repeat(building, 2)


def tile_glb(buildings: Buildings) -> tuple[bytes, NDArray[np.float64]]:
    """One tile: the GLB bytes and the tile centre (ECEF, m) its positions are relative to."""
    positions, normals, ids = extrude(buildings)
    if len(positions) == 0:
        raise TilesError("no footprint with an area in this tile")
    centre = (positions.min(axis=0) + positions.max(axis=0)) / 2.0
    local = positions - centre
    y_up = np.stack([local[:, 0], local[:, 2], -local[:, 1]], axis=1).astype(np.float32)
    n_up = np.stack([normals[:, 0], normals[:, 2], -normals[:, 1]], axis=1).astype(np.float32)
    builder = _GltfBuilder()
    pos = builder.accessor(y_up, FLOAT32, "VEC3", target=34962, bounds=True)
    nor = builder.accessor(n_up, FLOAT32, "VEC3", target=34962)
    fid = builder.accessor(ids.astype(np.float32), FLOAT32, "SCALAR", target=34962)
    count = len(buildings.height_m)
    table = {column.name: builder.metadata_property(column) for column in buildings.columns}
    gltf = {
        "asset": {"version": "2.0", "generator": "resilience-twin twin.engine.tiles"},
        "extensionsUsed": ["EXT_mesh_features", "EXT_structural_metadata"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "materials": [
            {
                "pbrMetallicRoughness": {
                    "baseColorFactor": [0.85, 0.85, 0.85, 1.0],
                    "metallicFactor": 0.0,
                    "roughnessFactor": 1.0,
                },
                "doubleSided": True,
            }
        ],
        "meshes": [
            {
                "primitives": [
                    {
                        "attributes": {"POSITION": pos, "NORMAL": nor, "_FEATURE_ID_0": fid},
                        "material": 0,
                        "mode": 4,
                        "extensions": {
                            "EXT_mesh_features": {
                                "featureIds": [
                                    {"featureCount": count, "attribute": 0, "propertyTable": 0}
                                ]
                            }
                        },
                    }
                ]
            }
        ],
        "extensions": {
            "EXT_structural_metadata": {
                "schema": {
                    "id": "twin",
                    "classes": {"building": {"properties": _schema(buildings)}},
                },
                "propertyTables": [{"class": "building", "count": count, "properties": table}],
            }
        },
    }
    return builder.glb(gltf), centre


def _schema(buildings: Buildings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in buildings.columns:
        if column.kind == "STRING":
            out[column.name] = {"type": "STRING"}
        else:
            prop: dict[str, Any] = {"type": "SCALAR", "componentType": column.kind}
            if column.kind.startswith("FLOAT"):
                prop["noData"] = NO_DATA
            out[column.name] = prop
    return out


class _GltfBuilder:
    """Accumulates 8-byte-aligned buffer views of one binary chunk."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0
        self.views: list[dict[str, Any]] = []
        self.accessors: list[dict[str, Any]] = []

    def view(self, data: bytes, target: int | None = None) -> int:
        entry: dict[str, Any] = {"buffer": 0, "byteOffset": self.offset, "byteLength": len(data)}
        if target:
            entry["target"] = target
        pad = (-len(data)) % 8
        self.chunks.append(data + b"\0" * pad)
        self.offset += len(data) + pad
        self.views.append(entry)
        return len(self.views) - 1

    def accessor(
        self, array: NDArray[Any], component: int, kind: str, *, target: int, bounds: bool = False
    ) -> int:
        entry: dict[str, Any] = {
            "bufferView": self.view(np.ascontiguousarray(array).tobytes(), target),
            "componentType": component,
            "count": len(array),
            "type": kind,
        }
        if bounds:
            entry["min"] = array.min(axis=0).tolist()
            entry["max"] = array.max(axis=0).tolist()
        self.accessors.append(entry)
        return len(self.accessors) - 1

    def metadata_property(self, column: Column) -> dict[str, int]:
        if column.kind == "STRING":
            encoded = [str(v or "").encode("utf-8") for v in column.values]
            offsets = np.zeros(len(encoded) + 1, np.uint32)
            offsets[1:] = np.cumsum([len(e) for e in encoded])
            return {
                "values": self.view(b"".join(encoded)),
                "stringOffsets": self.view(offsets.tobytes()),
            }
        dtype = {"FLOAT32": np.float32, "FLOAT64": np.float64, "UINT32": np.uint32}[column.kind]
        fill = NO_DATA if column.kind.startswith("FLOAT") else 0
        values = np.array([fill if v is None else v for v in column.values], dtype=dtype)
        return {"values": self.view(values.tobytes())}

    def glb(self, gltf: dict[str, Any]) -> bytes:
        binary = b"".join(self.chunks)
        gltf = {
            **gltf,
            "buffers": [{"byteLength": len(binary)}],
            "bufferViews": self.views,
            "accessors": self.accessors,
        }
        text = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
        text += b" " * ((-len(text)) % 4)
        total = 12 + 8 + len(text) + 8 + len(binary)
        return b"".join(
            [
                struct.pack("<4sII", b"glTF", 2, total),
                struct.pack("<I4s", len(text), b"JSON"),
                text,
                struct.pack("<I4s", len(binary), b"BIN\0"),
                binary,
            ]
        )


def grid_cells(lon: NDArray[Any], lat: NDArray[Any], per_tile: int) -> list[NDArray[np.int64]]:
    """Split points into a square grid of cells of about ``per_tile`` points (non-empty only)."""
    n = len(lon)
    side = max(1, math.ceil(math.sqrt(n / max(per_tile, 1))))
    span_x = max(float(np.ptp(lon)), 1e-12) if n else 1.0
    span_y = max(float(np.ptp(lat)), 1e-12) if n else 1.0
    ix = np.minimum(((lon - lon.min()) / span_x * side).astype(int), side - 1) if n else lon
    iy = np.minimum(((lat - lat.min()) / span_y * side).astype(int), side - 1) if n else lat
    cell = iy * side + ix
    order = np.argsort(cell, kind="stable")
    bounds = np.flatnonzero(np.diff(cell[order])) + 1
    return [part.astype(np.int64) for part in np.split(order, bounds) if len(part)]


def tileset(
    tiles: Sequence[tuple[str, NDArray[np.float64], tuple[float, float, float, float], float]],
    *,
    extras: Mapping[str, Any],
) -> dict[str, Any]:
    """tileset.json for leaf tiles ``(uri, centre_ecef, (w, s, e, n) in degrees, max height)``.

    The root has no content and a large geometric error, so it always refines into the leaves;
    the leaves are exact (error 0) and culled by the view frustum.
    """
    if not tiles:
        raise TilesError("a tileset needs at least one tile")
    children = []
    for uri, centre, (w, s, e, n), top in tiles:
        transform = np.eye(4)
        transform[:3, 3] = centre
        children.append(
            {
                "boundingVolume": {"region": _region(w, s, e, n, top)},
                "geometricError": 0.0,
                "transform": transform.T.ravel().tolist(),  # column-major
                "content": {"uri": uri},
            }
        )
    w = min(t[2][0] for t in tiles)
    s = min(t[2][1] for t in tiles)
    e = max(t[2][2] for t in tiles)
    n = max(t[2][3] for t in tiles)
    top = max(t[3] for t in tiles)
    diagonal_m = math.hypot(
        (e - w) * 111320 * math.cos(math.radians((s + n) / 2)), (n - s) * 110540
    )
    return {
        "asset": {"version": "1.1", "generator": "resilience-twin twin.engine.tiles"},
        "geometricError": max(diagonal_m, 1000.0),
        "root": {
            "boundingVolume": {"region": _region(w, s, e, n, top)},
            "geometricError": max(diagonal_m, 1000.0),
            "refine": "ADD",
            "children": children,
        },
        "extras": dict(extras),
    }


def _region(w: float, s: float, e: float, n: float, top: float) -> list[float]:
    pad = 1e-6  # degrees: keeps degenerate cells non-empty
    return [
        math.radians(w - pad),
        math.radians(s - pad),
        math.radians(e + pad),
        math.radians(n + pad),
        0.0,
        float(top) + 1.0,
    ]
