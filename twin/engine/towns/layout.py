"""Street network and blocks of a generated town, in local metres (x east, y north).

A regular grid of blocks (``block_m`` = block length x depth, ``street_m`` wide streets) is
sized to hold the target number of buildings, rotated by ``rotation_deg`` and bent by a
smooth sinusoidal warp of amplitude ``warp_m`` (an organic street pattern when large; 0 gives
a straight grid like Xiong'an's). Blocks are ranked by distance from the centre; districts
take them in that order and blocks beyond the target are dropped. Rivers (a meandering band
``width_m`` wide) remove the blocks and streets they cover; the streets that cross them are
kept as bridges every ``bridge_every`` crossings. The street graph keeps its largest
connected component only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

XY = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Block:
    """A city block: quadrilateral ``corners`` (counter-clockwise), corner street node ids."""

    index: int
    corners: tuple[XY, XY, XY, XY]
    nodes: tuple[int, int, int, int]
    rank: int
    use: str = "built"  # built | park | landmark

    @property
    def centre(self) -> XY:
        xs, ys = zip(*self.corners, strict=True)
        return (sum(xs) / 4.0, sum(ys) / 4.0)

    @property
    def polygon(self) -> Polygon:
        return Polygon(self.corners)


@dataclass(frozen=True, slots=True)
class StreetLayout:
    """Streets (graph of intersections) and blocks of a town."""

    nodes: dict[int, XY]
    edges: tuple[tuple[int, int, str], ...]  # (u, v, "arterial" | "local" | "bridge")
    blocks: tuple[Block, ...]
    rivers: tuple[Polygon, ...]

    def graph(self) -> nx.Graph:
        g = nx.Graph()
        for node, xy in self.nodes.items():
            g.add_node(node, xy=xy)
        for u, v, kind in self.edges:
            g.add_edge(u, v, kind=kind, length=_dist(self.nodes[u], self.nodes[v]))
        return g

    def extent(self) -> Polygon:
        return shapely.MultiPoint(list(self.nodes.values())).convex_hull


def _dist(a: XY, b: XY) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _warp(layout: dict, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    amplitude = float(layout.get("warp_m", 0.0))
    wavelength = float(layout.get("warp_wavelength_m", 800.0))
    phase = rng.uniform(0, 2 * math.pi, 2)
    angle = math.radians(float(layout.get("rotation_deg", 0.0)))
    cos_a, sin_a = math.cos(angle), math.sin(angle)

    def warp(x: float, y: float) -> XY:
        wx = x + amplitude * math.sin(2 * math.pi * y / wavelength + phase[0])
        wy = y + amplitude * math.sin(2 * math.pi * x / wavelength + phase[1])
        return (wx * cos_a - wy * sin_a, wx * sin_a + wy * cos_a)

    return warp


def river_polygons(layout: dict, half_size_m: float) -> tuple[Polygon, ...]:
    """Meandering river bands across the town (local metres)."""
    out = []
    for river in layout.get("rivers", []):
        angle = math.radians(float(river.get("angle_deg", 0.0)))
        offset = float(river.get("offset_m", 0.0))
        meander = float(river.get("meander_m", 0.0))
        span = 2.5 * half_size_m + 2000.0
        ts = np.linspace(-span, span, 200)
        pts = [
            (
                t * math.cos(angle) - (offset + meander * math.sin(t / 400.0)) * math.sin(angle),
                t * math.sin(angle) + (offset + meander * math.sin(t / 400.0)) * math.cos(angle),
            )
            for t in ts
        ]
        out.append(LineString(pts).buffer(float(river.get("width_m", 100.0)) / 2.0))
    return tuple(out)


def grid_size(n_blocks: int, block: XY, street: float) -> tuple[int, int]:
    """Columns and rows of a roughly square grid of at least ``n_blocks`` blocks."""
    pitch_x, pitch_y = block[0] + street, block[1] + street
    nx_ = max(2, math.ceil(math.sqrt(n_blocks * pitch_y / pitch_x)))
    ny_ = max(2, math.ceil(n_blocks / nx_))
    return nx_, ny_


@dataclass(frozen=True, slots=True)
class CandidateGrid:
    """All candidate blocks of a town, ranked from the centre, before streets are chosen."""

    nodes: dict[int, XY]
    blocks: tuple[Block, ...]
    rivers: tuple[Polygon, ...]
    cols: int


def candidate_grid(layout: dict, n_blocks: int, rng: np.random.Generator) -> CandidateGrid:
    """A grid with room for about ``n_blocks`` dry blocks, ranked by distance from the centre."""
    bx, by = (float(v) for v in layout.get("block_m", (120.0, 90.0)))
    street = float(layout.get("street_m", 12.0))
    jitter = float(layout.get("jitter_m", 0.0))
    cols, rows = grid_size(int(n_blocks * 1.6) + 4, (bx, by), street)
    px, py = bx + street, by + street
    x0, y0 = -cols * px / 2.0, -rows * py / 2.0
    warp = _warp(layout, rng)
    nodes: dict[int, XY] = {}
    for j in range(rows + 1):
        for i in range(cols + 1):
            dx, dy = rng.uniform(-jitter, jitter, 2) if jitter else (0.0, 0.0)
            x, y = warp(x0 + i * px + float(dx), y0 + j * py + float(dy))
            nodes[j * (cols + 1) + i] = (round(x, 3), round(y, 3))
    rivers = river_polygons(layout, max(cols * px, rows * py) / 2.0)
    found = []
    for j in range(rows):
        for i in range(cols):
            ids = (
                j * (cols + 1) + i,
                j * (cols + 1) + i + 1,
                (j + 1) * (cols + 1) + i + 1,
                (j + 1) * (cols + 1) + i,
            )
            quad = _inset(tuple(nodes[k] for k in ids), street / 2.0)
            if any(r.intersects(Polygon(quad)) for r in rivers):
                continue
            found.append((ids, quad))
    found.sort(key=lambda b: (round(math.hypot(*_centre(b[1])), 3), b[0][0]))
    blocks = tuple(
        Block(index=ids[0], corners=quad, nodes=ids, rank=r) for r, (ids, quad) in enumerate(found)
    )
    return CandidateGrid(nodes, blocks, rivers, cols)


def street_layout(grid: CandidateGrid, chosen: list[Block], layout: dict) -> StreetLayout:
    """Streets around the ``chosen`` blocks (module docstring); blocks cut off are dropped."""
    return _assemble(
        grid.nodes, chosen, grid.rivers, layout, grid.cols, int(layout.get("arterial_every", 4))
    )


def _centre(quad: tuple[XY, ...]) -> XY:
    return (sum(p[0] for p in quad) / len(quad), sum(p[1] for p in quad) / len(quad))


def _inset(quad: tuple[XY, ...], by_m: float) -> tuple[XY, XY, XY, XY]:
    """Move each corner towards the centre so that the street half-width is left free."""
    cx, cy = _centre(quad)
    out = []
    for x, y in quad:
        d = math.hypot(x - cx, y - cy)
        f = max(0.0, (d - by_m * math.sqrt(2.0)) / d) if d else 0.0
        out.append((cx + (x - cx) * f, cy + (y - cy) * f))
    return (out[0], out[1], out[2], out[3])


def _assemble(
    nodes: dict[int, XY],
    chosen: list[Block],
    rivers: tuple[Polygon, ...],
    layout: dict,
    cols: int,
    arterial_every: int,
) -> StreetLayout:
    """Streets around the chosen blocks; river crossings become bridges or are dropped."""
    edge_set: set[tuple[int, int]] = set()
    for block in chosen:
        ids = block.nodes
        for a, b in zip(ids, ids[1:] + ids[:1], strict=True):
            edge_set.add((min(a, b), max(a, b)))
    bridge_every = max(1, int(layout.get("bridge_every", 3)))
    wet_nodes = {n for n, xy in nodes.items() if any(r.contains(Point(xy)) for r in rivers)}

    def wet(u: int, v: int) -> bool:
        line = LineString([nodes[u], nodes[v]])
        return u in wet_nodes or v in wet_nodes or any(r.intersects(line) for r in rivers)

    edges: list[tuple[int, int, str]] = []
    for u, v in sorted(edge_set):
        if wet(u, v):
            continue
        row_u, col_u = divmod(u, cols + 1)
        row_v, col_v = divmod(v, cols + 1)
        arterial = (row_u == row_v and row_u % arterial_every == 0) or (
            col_u == col_v and col_u % arterial_every == 0
        )
        edges.append((u, v, "arterial" if arterial else "local"))
    edges += _bridges(nodes, cols, {n for e in edges for n in e[:2]}, wet, bridge_every)
    g = nx.Graph()
    g.add_edges_from((u, v) for u, v, _ in edges)
    keep = max(nx.connected_components(g), key=len) if g.number_of_edges() else set()
    kept_edges = tuple(e for e in edges if e[0] in keep)
    kept_nodes = {n: nodes[n] for n in sorted(keep)}
    blocks = tuple(b for b in chosen if set(b.nodes) <= keep)
    return StreetLayout(kept_nodes, kept_edges, blocks, rivers)


def terrain_elevation(terrain: dict, base_m: float, xy: XY, half_size_m: float) -> float:
    """Ground elevation (m) at a local point: a tilted plane plus an optional hill."""
    relief = float(terrain.get("relief_m", 0.0))
    kind = terrain.get("kind", "flat")
    if kind == "flat" or relief == 0.0 or half_size_m <= 0.0:
        return base_m
    angle = math.radians(float(terrain.get("direction_deg", 0.0)))
    along = (xy[0] * math.sin(angle) + xy[1] * math.cos(angle)) / half_size_m  # -1 .. 1 uphill
    if kind == "slope":
        return base_m + relief * (min(1.0, max(-1.0, along)) + 1.0) / 2.0
    r = math.hypot(*xy) / half_size_m
    return base_m + relief * math.exp(-2.0 * r * r)


def _bridges(
    nodes: dict[int, XY],
    cols: int,
    dry: set[int],
    wet: Callable[[int, int], bool],
    every: int,
) -> list[tuple[int, int, str]]:
    """Bridges: runs of wet grid edges between two street nodes in use, every ``every``-th
    such run along each direction (the first one always)."""
    rows = max(nodes) // (cols + 1)
    lines = [[j * (cols + 1) + i for j in range(rows + 1)] for i in range(cols + 1)]
    lines += [[j * (cols + 1) + i for i in range(cols + 1)] for j in range(rows + 1)]
    runs: list[list[int]] = []
    for line in lines:
        run: list[int] = []
        for a, b in pairwise(line):
            if wet(a, b):
                run = run or [a]
                run.append(b)
                if b in dry and run[0] in dry and len(run) > 2:
                    runs.append(run)
                    run = []
                elif b in dry:
                    run = []
            else:
                run = []
    out: list[tuple[int, int, str]] = []
    for k, run in enumerate(runs):
        if k % every == 0:
            out += [(min(a, b), max(a, b), "bridge") for a, b in pairwise(run)]
    return out
