"""Controlled vocabularies of the city information model.

Structural systems are the Hazus model building types (FEMA Hazus Earthquake Technical
Manual, table 3.1); occupancies the Hazus occupancy classes; design eras the editions of
the Chinese seismic design code (GB 50011 and its predecessors).
"""

HAZUS_BUILDING_TYPES: dict[str, str] = {
    "W1": "Wood, light frame (≤ 5000 sq ft)",
    "W2": "Wood, commercial and industrial (> 5000 sq ft)",
    "S1L": "Steel moment frame, low-rise",
    "S1M": "Steel moment frame, mid-rise",
    "S1H": "Steel moment frame, high-rise",
    "S2L": "Steel braced frame, low-rise",
    "S2M": "Steel braced frame, mid-rise",
    "S2H": "Steel braced frame, high-rise",
    "S3": "Steel light frame",
    "S4L": "Steel frame with cast-in-place concrete shear walls, low-rise",
    "S4M": "Steel frame with cast-in-place concrete shear walls, mid-rise",
    "S4H": "Steel frame with cast-in-place concrete shear walls, high-rise",
    "S5L": "Steel frame with unreinforced masonry infill walls, low-rise",
    "S5M": "Steel frame with unreinforced masonry infill walls, mid-rise",
    "S5H": "Steel frame with unreinforced masonry infill walls, high-rise",
    "C1L": "Concrete moment frame, low-rise",
    "C1M": "Concrete moment frame, mid-rise",
    "C1H": "Concrete moment frame, high-rise",
    "C2L": "Concrete shear walls, low-rise",
    "C2M": "Concrete shear walls, mid-rise",
    "C2H": "Concrete shear walls, high-rise",
    "C3L": "Concrete frame with unreinforced masonry infill walls, low-rise",
    "C3M": "Concrete frame with unreinforced masonry infill walls, mid-rise",
    "C3H": "Concrete frame with unreinforced masonry infill walls, high-rise",
    "PC1": "Precast concrete tilt-up walls",
    "PC2L": "Precast concrete frames with concrete shear walls, low-rise",
    "PC2M": "Precast concrete frames with concrete shear walls, mid-rise",
    "PC2H": "Precast concrete frames with concrete shear walls, high-rise",
    "RM1L": "Reinforced masonry bearing walls with wood or metal deck diaphragms, low-rise",
    "RM1M": "Reinforced masonry bearing walls with wood or metal deck diaphragms, mid-rise",
    "RM2L": "Reinforced masonry bearing walls with precast concrete diaphragms, low-rise",
    "RM2M": "Reinforced masonry bearing walls with precast concrete diaphragms, mid-rise",
    "RM2H": "Reinforced masonry bearing walls with precast concrete diaphragms, high-rise",
    "URML": "Unreinforced masonry bearing walls, low-rise",
    "URMM": "Unreinforced masonry bearing walls, mid-rise",
    "MH": "Mobile homes",
}

HAZUS_OCCUPANCIES: dict[str, str] = {
    "RES1": "Single-family dwelling",
    "RES2": "Mobile home",
    "RES3": "Multi-family dwelling",
    "RES4": "Temporary lodging",
    "RES5": "Institutional dormitory",
    "RES6": "Nursing home",
    "COM1": "Retail trade",
    "COM2": "Wholesale trade",
    "COM3": "Personal and repair services",
    "COM4": "Professional/technical services (offices)",
    "COM5": "Banks",
    "COM6": "Hospital",
    "COM7": "Medical office/clinic",
    "COM8": "Entertainment and recreation",
    "COM9": "Theatres",
    "COM10": "Parking",
    "IND1": "Heavy industry",
    "IND2": "Light industry",
    "IND3": "Food/drugs/chemicals",
    "IND4": "Metals/minerals processing",
    "IND5": "High technology",
    "IND6": "Construction",
    "AGR1": "Agriculture",
    "REL1": "Church/non-profit",
    "GOV1": "General government services",
    "GOV2": "Emergency response",
    "EDU1": "Grade schools",
    "EDU2": "Colleges/universities",
}

DESIGN_ERAS: dict[str, str] = {
    "pre-1974": "Before the first national seismic code (no seismic design)",
    "TJ11-74": "TJ 11-74 (trial edition)",
    "TJ11-78": "TJ 11-78",
    "GBJ11-89": "GBJ 11-89",
    "GB50011-2001": "GB 50011-2001",
    "GB50011-2010": "GB 50011-2010 (2016 edition)",
}

FORTIFICATION_INTENSITIES: tuple[float, ...] = (6.0, 7.0, 7.5, 8.0, 8.5, 9.0)

#: The attributes of a building, in the order the API and the exports write them: the one
#: list, each user adds or removes a documented few. All are stored columns of
#: ``twin.Building`` (and fields of ``BuildingRecord``). ``global_id``, ``name`` and ``source``
#: are read from the source file; the others are read when the source has them and derived
#: otherwise by the imputation rules (``twin.engine.imputation.ATTRIBUTES``, in their own
#: order), which record the rule in the building's ``imputed`` mapping. Not listed: the
#: ``footprint`` geometry, which every user handles apart; ``isolated`` (stored, read by the
#: analyses, not published); provenance and IFC detail (``source_file``, ``imputed``,
#: ``element_counts``, ``materials``).
#: Users: ``twin.api.serializers.BuildingSerializer`` (adds ``id`` and ``imputed``);
#: ``twin.services.town_export``, which passes it as the ``columns`` of
#: ``twin.engine.export.write_buildings`` (an engine may not import this module; rows add
#: ``footprint_epsg`` and ``imputed``); ``twin.persist.BUILDING_FIELDS`` (drops the conflict key
#: ``global_id``, adds the geometry, ``isolated`` and the provenance/IFC detail).
BUILDING_ATTRIBUTES: tuple[str, ...] = (
    "global_id",
    "name",
    "height_m",
    "storeys_above_ground",
    "structural_system",
    "design_era",
    "fortification_intensity",
    "occupancy",
    "floor_area_m2",
    "day_population",
    "night_population",
    "replacement_cost",
    "source",
)

NETWORK_KINDS: dict[str, str] = {
    "water": "Water supply",
    "gas": "Gas distribution",
    "power": "Electric power",
    "road": "Roads",
    "heating": "District heating",
    "drainage": "Drainage and sewer",
}

FACILITY_KINDS: dict[str, str] = {
    "hospital": "Hospital (capacity = beds)",
    "school": "School (capacity = pupils)",
    "shelter": "Emergency shelter (capacity = people)",
    "fire_station": "Fire station (capacity = engines)",
    "hazchem_site": "Hazardous-chemical site (substance and inventory)",
    "police": "Police station",
    "command_centre": "Emergency command centre",
}

SITE_CLASSES: dict[str, str] = {
    "I0": "GB 50011 site class I0 (hard rock, Vs > 800 m/s)",
    "I1": "GB 50011 site class I1 (rock / stiff soil over shallow bedrock)",
    "II": "GB 50011 site class II",
    "III": "GB 50011 site class III",
    "IV": "GB 50011 site class IV (soft deep soil)",
}


def choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    """Django ``choices`` from a vocabulary mapping."""
    return [(code, f"{code} — {label}") for code, label in vocabulary.items()]
