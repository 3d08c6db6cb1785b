"""Hazus model building type and occupancy inferred from IFC elements.

Structural-system rules. Shares are element volumes (m3; 0.01 m3 per element
when no volume is known) of columns, beams, members ("frame") and walls, by
material category (concrete, steel, masonry, timber; "other"/unknown are
ignored). The *dominant* category has the largest frame + wall share. With
``n`` storeys above ground (height class L/M/H = 1-3 / 4-7 / 8+ storeys):

1. concrete dominant but the steel frame exceeds the concrete frame -> S4
   (steel frame with cast-in-place concrete shear walls)
2. steel dominant                                               -> S1
3. concrete dominant: walls > frame -> C2, else                  -> C1
4. masonry dominant: a "reinforced" name -> RM1 (L 1-3, M 4+),
   else URM (URML 1-2, URMM 3+)
5. timber dominant                                               -> W1
6. nothing known -> None (Problem ``structural-system-unknown``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

FRAME_CLASSES = ("IfcColumn", "IfcBeam", "IfcMember")
WALL_CLASSES = ("IfcWall", "IfcCurtainWall")


@dataclass
class StructureTally:
    """Volume shares (m3) of structural roles by material category."""

    frame: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    wall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reinforced_masonry: bool = False

    def add(self, ifc_class: str, category: str, volume_m3: float | None, reinforced: bool) -> None:
        """Add one element of normalised ``ifc_class`` and material ``category`` with its volume."""
        share = volume_m3 if volume_m3 else 0.01  # counts still matter when volumes are missing
        if ifc_class in FRAME_CLASSES:
            self.frame[category] += share
        elif ifc_class in WALL_CLASSES:
            self.wall[category] += share
            if category == "masonry" and reinforced:
                self.reinforced_masonry = True
        else:
            return
        self.counts[f"{category} {ifc_class}"] += 1


def _height_class(storeys: int, limits: tuple[int, int]) -> str:
    """Return L, M or H for a storey count with (max L, max M) limits."""
    if storeys <= limits[0]:
        return "L"
    return "M" if storeys <= limits[1] else "H"


def _dominant(tally: StructureTally) -> str | None:
    """Return the material category with the largest frame + wall volume, ignoring unknown/other."""
    totals: dict[str, float] = defaultdict(float)
    for shares in (tally.frame, tally.wall):
        for category, volume in shares.items():
            if category in ("concrete", "steel", "masonry", "timber"):
                totals[category] += volume
    if not totals:
        return None
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _code_for(tally: StructureTally, dominant: str, n: int) -> str:
    """Apply rules 1-5 of the module docstring to a dominant material and storey count."""
    steel_frame, concrete_wall = tally.frame.get("steel", 0.0), tally.wall.get("concrete", 0.0)
    if dominant == "concrete" and steel_frame > tally.frame.get("concrete", 0.0):
        return "S4" + _height_class(n, (3, 7))
    if dominant == "steel":
        return "S1" + _height_class(n, (3, 7))
    if dominant == "concrete":
        kind = "C2" if concrete_wall > tally.frame.get("concrete", 0.0) else "C1"
        return kind + _height_class(n, (3, 7))
    if dominant == "masonry":
        if tally.reinforced_masonry:
            return "RM1" + ("L" if n <= 3 else "M")
        return "URML" if n <= 2 else "URMM"
    return "W1"


def infer_structural_system(tally: StructureTally, storeys: int) -> tuple[str | None, str]:
    """Apply the module rules.

    Parameters
    ----------
    tally : StructureTally
        Shares of the building's structural elements.
    storeys : int
        Storeys above ground (at least 1 is assumed).

    Returns
    -------
    tuple
        (Hazus code or None, explanation naming the evidence).
    """
    n = max(1, storeys)
    evidence = ", ".join(f"{v} {k}" for k, v in sorted(tally.counts.items()))
    dominant = _dominant(tally)
    if dominant is None:
        return None, f"no columns, beams or walls of a known material ({evidence or 'none'})"
    code = _code_for(tally, dominant, n)
    return (
        code,
        f"inferred from elements: {evidence}; {dominant} dominant; {n} storeys above ground",
    )


#: (pattern, Hazus occupancy class); first match on names wins.
OCCUPANCY_RULES: tuple[tuple[str, str], ...] = (
    (r"hospital|klinik|krankenhaus", "COM6"),
    (r"school|schule|kindergarten", "EDU1"),
    (r"universit|institut|college|hochschule|laborator", "EDU2"),
    (r"office|b[üu]ro|buero", "COM4"),
    (r"apartment|duplex|flat|wohnung|mehrfamilien", "RES3"),
    (r"house|haus|wohn|bedroom|schlafen|kitchen|k[üu]che|living|residential", "RES1"),
    (r"warehouse|lager|factory|fabrik|industr", "IND2"),
    (r"church|kirche", "REL1"),
)


def _match_occupancy(text: str) -> tuple[str, str] | None:
    """Return (Hazus occupancy, matched keyword) for lower-case ``text``, or None."""
    for pattern, code in OCCUPANCY_RULES:
        match = re.search(pattern, text)
        if match:
            return code, match.group(0)
    return None


def infer_occupancy(explicit: str | None, names: list[str]) -> tuple[str | None, str | None]:
    """Return (Hazus occupancy class, imputation note) from an explicit Pset value or from names.

    Parameters
    ----------
    explicit : str or None
        ``Pset_BuildingCommon.OccupancyType`` if present. It is mapped through the keyword
        rules (e.g. ``"citygml:1120 (office building)"`` -> ``COM4``); an unmatched value of
        at most 8 characters (already a code) is returned as written.
    names : list of str
        Building name/long name/object type, then space names.

    Returns
    -------
    tuple
        (occupancy or None, note for ``imputed`` or None when read directly / not found).
    """
    if explicit:
        found = _match_occupancy(explicit.lower())
        if found:
            return found[0], f"mapped from Pset_BuildingCommon.OccupancyType '{explicit}'"
        if len(explicit) <= 8:
            return explicit, None
    found = _match_occupancy(" ".join(n for n in names if n).lower())
    if found:
        return found[0], f"inferred from names: '{found[1]}' -> {found[0]}"
    return None, None
