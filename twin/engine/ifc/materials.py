"""Material names -> density (kg/m3) and structural material category.

Densities (kg/m3), matched on material names case-insensitively, English and
German keywords, first rule wins:

=====================  =======  ==========
material               density  category
=====================  =======  ==========
lightweight/aerated    1000     masonry  (concrete blocks, e.g. "Leichtbeton")
stud layer (framing)    100     other    (light-gauge studs + cavity)
reinforced concrete    2500     concrete
concrete               2400     concrete
steel / metal          7850     steel
aluminium              2700     other
brick / masonry / CMU  1800     masonry
timber / wood           500     timber
glass                  2500     glass
gypsum / plaster       1200     other
insulation               30     other
anything else          2000     unknown (Problem ``density-default``)
=====================  =======  ==========

A ``Pset_MaterialCommon.MassDensity`` on the material overrides the table.
Layer sets are thickness-weighted, constituent sets fraction-weighted, profile
sets and material lists are plain means. The category of a multi-material
element is that of its largest known share (the structural core of a wall).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.util.element

DEFAULT_DENSITY_KG_M3 = 2000.0

#: (pattern, density kg/m3, category); first match wins.
DENSITY_RULES: tuple[tuple[str, float, str], ...] = (
    (r"leichtbeton|lightweight concrete|porenbeton|gasbeton|aerated|ytong", 1000.0, "masonry"),
    (r"\bstud", 100.0, "other"),
    (r"reinforced concrete|stahlbeton|\brc\b|\bb[eé]ton arm", 2500.0, "concrete"),
    (r"reinforced (masonry|brick|block)|bewehrt\w* mauerwerk", 1800.0, "masonry"),
    (r"masonry|mauerwerk|brick|ziegel|backstein|kalksand|\bblock|\bcmu\b", 1800.0, "masonry"),
    (r"concrete|beton|\bc\d{2}/\d{2}\b|cement|zement", 2400.0, "concrete"),
    (r"alumin", 2700.0, "other"),
    (r"steel|stahl|\bs(235|275|355|460)\b|metal|iron|eisen|acier", 7850.0, "steel"),
    (r"stone|stein|clay|adobe", 1800.0, "masonry"),
    (
        r"timber|wood|holz|plywood|glulam|\bclt\b|\blvl\b|bois|lumber|spruce|pine|oak",
        500.0,
        "timber",
    ),
    (r"glass|glas|glazing|verglasung", 2500.0, "glass"),
    (r"gypsum|plaster|putz|gips|drywall", 1200.0, "other"),
    (r"insulation|d[äa]e?mm|mineral ?wool|\beps\b|\bxps\b|wool", 30.0, "other"),
)


@dataclass(frozen=True)
class MaterialInfo:
    """Density and category of one element's material.

    Attributes
    ----------
    density_kg_m3 : float
        Mean density, kg/m3.
    category : str
        ``concrete``, ``steel``, ``masonry``, ``timber``, ``glass``, ``other`` or ``unknown``.
    names : tuple of str
        Material names found.
    known : bool
        False when the default density had to be used for some share.
    reinforced : bool
        True when a name says "reinforced".
    """

    density_kg_m3: float
    category: str
    names: tuple[str, ...]
    known: bool
    reinforced: bool = False


def classify_name(name: str | None) -> tuple[float, str] | None:
    """Return ``(density kg/m3, category)`` for a material name, or None when unrecognised."""
    text = (name or "").lower()
    for pattern, density, category in DENSITY_RULES:
        if re.search(pattern, text):
            return density, category
    return None


def _material_density(material: ifcopenshell.entity_instance) -> tuple[float, str, bool]:
    """Return (density, category, known) for an IfcMaterial (MassDensity first)."""
    rule = classify_name(material.Name)
    category = rule[1] if rule else "unknown"
    psets = (
        ifcopenshell.util.element.get_psets(material) if hasattr(material, "HasProperties") else {}
    )
    density = (psets.get("Pset_MaterialCommon") or {}).get("MassDensity")
    if isinstance(density, (int, float)) and density > 0:
        return float(density), category, True
    if rule:
        return rule[0], category, True
    return DEFAULT_DENSITY_KG_M3, category, False


def _shares(
    definition: ifcopenshell.entity_instance,
) -> list[tuple[ifcopenshell.entity_instance, float]]:
    """Return (IfcMaterial, weight) pairs of a material definition."""
    if definition.is_a("IfcMaterial"):
        return [(definition, 1.0)]
    if definition.is_a("IfcMaterialLayerSet"):
        layers = [lay for lay in definition.MaterialLayers if lay.Material is not None]
        return [(lay.Material, float(lay.LayerThickness or 0.0) or 1e-9) for lay in layers]
    if definition.is_a("IfcMaterialConstituentSet"):
        parts = [c for c in (definition.MaterialConstituents or ()) if c.Material is not None]
        return [(c.Material, float(c.Fraction or 1.0)) for c in parts]
    if definition.is_a("IfcMaterialProfileSet"):
        return [(p.Material, 1.0) for p in definition.MaterialProfiles if p.Material is not None]
    if definition.is_a("IfcMaterialList"):
        return [(m, 1.0) for m in definition.Materials]
    return []


def material_info(
    element: ifcopenshell.entity_instance, cache: dict[int, object] | None = None
) -> MaterialInfo | None:
    """Return the MaterialInfo of an element (own or type material), or None if it has none.

    ``cache`` (material definition STEP id -> MaterialInfo) avoids re-reading a material
    definition shared by many elements.
    """
    definition = ifcopenshell.util.element.get_material(element, should_skip_usage=True)
    if definition is None or cache is None:
        return _definition_info(definition)
    key = definition.id()
    if key not in cache:
        cache[key] = _definition_info(definition)
    return cache[key]  # type: ignore[return-value]


def _definition_info(definition: ifcopenshell.entity_instance | None) -> MaterialInfo | None:
    """MaterialInfo of a material definition (None when it names no material)."""
    shares = _shares(definition) if definition is not None else []
    if not shares:
        return None
    total = sum(w for _, w in shares)
    density, known = 0.0, True
    by_category: dict[str, float] = {}
    for material, weight in shares:
        rho, category, ok = _material_density(material)
        density += rho * weight / total
        known = known and ok
        if category != "unknown":
            by_category[category] = by_category.get(category, 0.0) + weight * rho
    names = tuple(dict.fromkeys(m.Name for m, _ in shares if m.Name))
    category = max(by_category, key=lambda c: by_category[c]) if by_category else "unknown"
    reinforced = any(re.search(r"reinforc|bewehrt|stahlbeton", n.lower()) for n in names)
    return MaterialInfo(density, category, names, known, reinforced)
