"""Elastic frames from member lists (nodes + elasticBeamColumn members), e.g. from IFC axis lines.

Units are those of the member list (the Bathe-Wilson verification frame uses kip, ft, s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from structures.engine.response.commands import OpsCommand
from structures.engine.response.errors import StructuralModelError

NODE_MERGE_TOLERANCE_M = 0.05  # IFC axis ends closer than this are one joint


@dataclass(frozen=True, slots=True)
class FrameNode:
    """A joint at (x, y, z); ``fixed`` joints are restrained in every DOF."""

    tag: int
    x: float
    y: float
    z: float = 0.0
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class FrameMember:
    """An elastic beam-column between two joints: area A, modulus E, inertia I, mass per length."""

    tag: int
    i: int
    j: int
    area: float
    modulus: float
    inertia: float
    mass_per_length: float = 0.0
    kind: str = "member"  # "column" / "beam" when known (e.g. from IFC)


@dataclass(frozen=True, slots=True)
class FrameModel:
    """Nodes and members of a frame."""

    nodes: tuple[FrameNode, ...]
    members: tuple[FrameMember, ...]


def frame_commands(frame: FrameModel) -> list[OpsCommand]:
    """Planar (x-y) OpenSees model: 3 DOF per node, linear transformation, lumped member mass."""
    tags = {n.tag for n in frame.nodes}
    cmds = [OpsCommand("wipe"), OpsCommand("model", ("basic", "-ndm", 2, "-ndf", 3))]
    for n in frame.nodes:
        cmds.append(OpsCommand("node", (n.tag, float(n.x), float(n.y))))
        if n.fixed:
            cmds.append(OpsCommand("fix", (n.tag, 1, 1, 1)))
    cmds.append(OpsCommand("geomTransf", ("Linear", 1)))
    for e in frame.members:
        if e.i not in tags or e.j not in tags:
            raise StructuralModelError(f"member {e.tag} joins unknown node {e.i} or {e.j}")
        cmds.append(
            OpsCommand(
                "element",
                (
                    "elasticBeamColumn",
                    e.tag,
                    e.i,
                    e.j,
                    float(e.area),
                    float(e.modulus),
                    float(e.inertia),
                    1,
                    "-mass",
                    float(e.mass_per_length),
                ),
            )
        )
    return cmds


def regular_frame(
    bays: int,
    storeys: int,
    bay_width: float,
    storey_height: float,
    *,
    area: float,
    modulus: float,
    inertia: float,
    mass_per_length: float,
) -> FrameModel:
    """A regular plane frame with fixed bases (columns first, then beams, storey by storey)."""
    tag = lambda level, col: level * (bays + 1) + col + 1  # noqa: E731
    nodes = tuple(
        FrameNode(tag(lv, c), c * bay_width, lv * storey_height, fixed=lv == 0)
        for lv in range(storeys + 1)
        for c in range(bays + 1)
    )
    props = (area, modulus, inertia, mass_per_length)
    members: list[FrameMember] = []
    for lv in range(1, storeys + 1):
        for c in range(bays + 1):
            members.append(
                FrameMember(len(members) + 1, tag(lv - 1, c), tag(lv, c), *props, "column")
            )
        for c in range(bays):
            members.append(
                FrameMember(len(members) + 1, tag(lv, c), tag(lv, c + 1), *props, "beam")
            )
    return FrameModel(nodes, tuple(members))


def _joint(points: list[np.ndarray], p: np.ndarray) -> int:
    for k, q in enumerate(points):
        if np.linalg.norm(p - q) < NODE_MERGE_TOLERANCE_M:
            return k + 1
    points.append(p)
    return len(points)


def frame_from_ifc(
    path: Path, *, area_m2: float, modulus_pa: float, inertia_m4: float
) -> FrameModel:
    """Member list from the axis lines of IfcColumn and IfcBeam elements (world coordinates, m).

    Each element's axis is the principal axis of its tessellated body; ends closer than
    ``NODE_MERGE_TOLERANCE_M`` share a joint; joints at the lowest column base are fixed. IFC rarely
    carries section properties, so one uniform section is given. Run it in the IFC sandbox
    (``twin.engine.ifc.sandbox``) for untrusted files: malformed STEP can crash ifcopenshell.
    """
    import ifcopenshell

    from twin.engine.ifc.geometry import axis_ends, elements_of, tessellate_points

    model = ifcopenshell.open(str(path))
    elements = elements_of(model, ("IfcColumn", "IfcBeam"))
    kinds = {e.id(): ("column" if e.is_a("IfcColumn") else "beam") for e in elements}
    verts = tessellate_points(model, elements)
    points: list[np.ndarray] = []
    members: list[FrameMember] = []
    for step_id in sorted(verts):
        a, b = axis_ends(verts[step_id])
        i, j = _joint(points, a), _joint(points, b)
        members.append(
            FrameMember(
                len(members) + 1, i, j, area_m2, modulus_pa, inertia_m4, kind=kinds[step_id]
            )
        )
    if not members:
        raise StructuralModelError(f"{path.name}: no IfcColumn or IfcBeam with geometry")
    z0 = min(float(p[2]) for p in points)
    nodes = tuple(
        FrameNode(
            k + 1,
            float(p[0]),
            float(p[1]),
            float(p[2]),
            fixed=bool(p[2] - z0 < NODE_MERGE_TOLERANCE_M),
        )
        for k, p in enumerate(points)
    )
    return FrameModel(nodes, tuple(members))
