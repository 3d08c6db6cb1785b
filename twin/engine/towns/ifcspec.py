"""From generated buildings to IFC building specs (layout and materials by Hazus family).

| family | layout | frame / wall material |
|---|---|---|
| URM | wall | brick masonry (0.24 m walls; 0.37 m before 1979) |
| RM1, RM2 | wall | reinforced brick masonry |
| C1 | frame | reinforced concrete C30 |
| C2 | wall | reinforced concrete C30 (0.20 m shear walls) |
| C3 | frame_infill | RC frame, brick infill |
| S1, S2 | frame | steel Q355 |
| S4 | frame_core | steel frame, RC core wall |
| S5 | frame_infill | steel frame, brick infill |
| PC1 | wall | precast reinforced concrete panels |
| PC2 | frame_core | precast reinforced concrete |
| W1, W2 | frame | timber (Chinese fir), brick-free |

The ``TwinCIM`` property set carries ``StructuralSystem``, ``DesignEra``,
``FortificationIntensity``, ``DayPopulation``, ``NightPopulation``, ``ReplacementCost``
(CNY) and ``SeismicIsolation``; ``Pset_BuildingCommon`` the occupancy and year.
"""

from __future__ import annotations

import re

from twin.engine.ifc.town_writer import IfcBuildingSpec
from twin.engine.towns.buildings import GeneratedBuilding

RC, STEEL = "Reinforced concrete C30", "Steel Q355"
BRICK, RBRICK = "Brick masonry", "Reinforced brick masonry"
PRECAST, TIMBER = "Precast reinforced concrete", "Timber (Chinese fir)"
#: family -> (layout, frame material, wall material, slab material, wall m, column m, bay m)
FAMILIES: dict[str, tuple[str, str, str, str, float, float, float]] = {
    "URM": ("wall", BRICK, BRICK, PRECAST, 0.24, 0.4, 6.0),
    "RM1": ("wall", RBRICK, RBRICK, RC, 0.24, 0.4, 6.0),
    "RM2": ("wall", RBRICK, RBRICK, PRECAST, 0.24, 0.4, 6.0),
    "C1": ("frame", RC, RC, RC, 0.2, 0.5, 7.5),
    "C2": ("wall", RC, RC, RC, 0.2, 0.5, 7.5),
    "C3": ("frame_infill", RC, BRICK, RC, 0.24, 0.5, 6.6),
    "S1": ("frame", STEEL, STEEL, RC, 0.2, 0.4, 9.0),
    "S2": ("frame", STEEL, STEEL, RC, 0.2, 0.4, 9.0),
    "S4": ("frame_core", STEEL, RC, RC, 0.3, 0.4, 9.0),
    "S5": ("frame_infill", STEEL, BRICK, RC, 0.24, 0.4, 7.5),
    "PC1": ("wall", PRECAST, PRECAST, PRECAST, 0.2, 0.5, 7.5),
    "PC2": ("frame_core", PRECAST, PRECAST, PRECAST, 0.2, 0.5, 7.5),
    "W1": ("frame", TIMBER, TIMBER, "Timber floor boards", 0.12, 0.3, 4.0),
    "W2": ("frame", TIMBER, TIMBER, "Timber floor boards", 0.12, 0.3, 5.0),
}


def family_of(code: str) -> str:
    """Hazus family of a model building type (``C2M`` -> ``C2``, ``URML`` -> ``URM``)."""
    if code.startswith("URM"):
        return "URM"
    match = re.match(r"^(RM1|RM2|PC1|PC2|[CSW]\d)", code)
    return match.group(1) if match else "C2"


def ifc_spec(b: GeneratedBuilding, terrain_elevation_m: float) -> IfcBuildingSpec:
    """The IFC spec of one generated building (module docstring)."""
    family = family_of(b.structural_system)
    layout, frame, wall, slab, thick, column, bay = FAMILIES[family]
    if family == "URM" and b.year < 1979:
        thick = 0.37
    if b.storeys >= 12 and family in ("C1", "C2"):
        thick, column = 0.25, 0.7
    return IfcBuildingSpec(
        key=b.key,
        name=b.name,
        x_m=b.x_m,
        y_m=b.y_m,
        rotation_deg=b.rotation_deg,
        length_m=b.length_m,
        width_m=b.width_m,
        storeys=b.storeys,
        storey_height_m=b.storey_height_m,
        layout=layout,
        frame_material=frame,
        wall_material=wall,
        slab_material=slab,
        wall_thickness_m=thick,
        slab_thickness_m=0.12 if family in ("W1", "W2", "URM") else 0.15,
        column_m=column,
        bay_m=bay,
        occupancy=b.occupancy,
        year=b.year,
        terrain_elevation_m=terrain_elevation_m,
        properties={
            "StructuralSystem": b.structural_system,
            "DesignEra": b.design_era,
            "FortificationIntensity": float(b.fortification_intensity),
            "DayPopulation": float(b.day_population),
            "NightPopulation": float(b.night_population),
            "ReplacementCost": float(b.replacement_cost),
            "SeismicIsolation": bool(b.isolated),
        },
    )
