"""Rule-based imputation of missing building attributes.

The rules are data (``data/imputation_rules.json``): each has an ``id``, the ``attribute``
it sets, a condition ``when``, a ``value`` (literal or computed by an ``op``) and a
``reason`` and ``source``. For each attribute the first rule that applies wins; values
already present are never replaced; every imputed value is recorded in
``BuildingRecord.imputed`` as ``{attribute: rule id}``.

Units: metres, square metres, persons, CNY.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.polygon import orient

from twin.engine.records import BuildingRecord, CimImportError

RULES_PATH = Path(__file__).with_name("data") / "imputation_rules.json"
REGION_RULE = "region-default"

#: Attributes the rules may set, in the order they are imputed (later ones read earlier ones).
ATTRIBUTES: tuple[str, ...] = (
    "storeys_above_ground",
    "height_m",
    "occupancy",
    "design_era",
    "fortification_intensity",
    "structural_system",
    "floor_area_m2",
    "night_population",
    "day_population",
    "replacement_cost",
)
_TEXT_ATTRIBUTES = {"occupancy", "design_era", "structural_system"}
_LIST_CONDITIONS = {"tag_in", "occupancy_in", "occupancy_prefix", "design_era_in"}
_NUMBER_CONDITIONS = {"storeys_min", "storeys_max", "year_min", "year_max"}
#: op name -> (required parameter, attribute it needs on the record)
_OPS: dict[str, tuple[str | None, str]] = {
    "height_div": ("storey_height_m", "height_m"),
    "storeys_mul": ("storey_height_m", "storeys_above_ground"),
    "footprint_area_x_storeys": (None, "storeys_above_ground"),
    "floor_area_div": ("m2_per_person", "floor_area_m2"),
    "floor_area_mul": ("cny_per_m2", "floor_area_m2"),
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One imputation rule (see the module docstring)."""

    id: str
    attribute: str
    when: Mapping[str, Any]
    value: Any
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Rules:
    """An ordered, validated rule set."""

    rules: tuple[Rule, ...]

    def for_attribute(self, attribute: str) -> tuple[Rule, ...]:
        """Rules that set ``attribute``, in file order."""
        return tuple(r for r in self.rules if r.attribute == attribute)


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate a rule file.

    Raises
    ------
    CimImportError
        Unreadable JSON, or a malformed rule (message names the rule id).
    """
    source = Path(path) if path is not None else RULES_PATH
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CimImportError(f"imputation rules {source.name}: unreadable ({exc})") from exc
    raw = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(raw, list) or not raw:
        raise CimImportError(f"imputation rules {source.name}: no 'rules' list")
    rules = tuple(_parse_rule(item, index) for index, item in enumerate(raw))
    ids = [r.id for r in rules]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise CimImportError(f"imputation rules {source.name}: duplicate rule ids {duplicated}")
    return Rules(rules)


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rule set shipped with the engine (``data/imputation_rules.json``)."""
    return load_rules(RULES_PATH)


def _parse_rule(item: Any, index: int) -> Rule:
    """Validate one JSON rule; every error names the rule id."""
    rule_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else f"#{index}"
    fail = f"imputation rule '{rule_id}':"
    if not isinstance(item, dict):
        raise CimImportError(f"{fail} not a JSON object")
    missing = [k for k in ("id", "attribute", "when", "value", "reason", "source") if k not in item]
    if missing:
        raise CimImportError(f"{fail} missing {missing}")
    if item["attribute"] not in ATTRIBUTES:
        raise CimImportError(
            f"{fail} unknown attribute '{item['attribute']}'; use one of {list(ATTRIBUTES)}"
        )
    _check_condition(item["when"], fail)
    _check_value(item["attribute"], item["value"], fail)
    return Rule(
        rule_id,
        item["attribute"],
        dict(item["when"]),
        item["value"],
        str(item["reason"]),
        str(item["source"]),
    )


def _check_condition(when: Any, fail: str) -> None:
    if not isinstance(when, dict):
        raise CimImportError(f"{fail} 'when' must be an object")
    for key, operand in when.items():
        if key in _LIST_CONDITIONS:
            if not isinstance(operand, list) or not all(isinstance(v, str) for v in operand):
                raise CimImportError(f"{fail} condition '{key}' needs a list of strings")
        elif key in _NUMBER_CONDITIONS:
            if isinstance(operand, bool) or not isinstance(operand, (int, float)):
                raise CimImportError(f"{fail} condition '{key}' needs a number")
        else:
            raise CimImportError(f"{fail} unknown condition '{key}'")


def _check_value(attribute: str, value: Any, fail: str) -> None:
    if isinstance(value, dict):
        op = value.get("op")
        if op not in _OPS:
            raise CimImportError(f"{fail} unknown op '{op}'; use one of {sorted(_OPS)}")
        param = _OPS[op][0]
        if param is not None and not _positive(value.get(param)):
            raise CimImportError(f"{fail} op '{op}' needs a positive '{param}'")
    elif attribute in _TEXT_ATTRIBUTES:
        if not isinstance(value, str) or not value:
            raise CimImportError(f"{fail} value for {attribute} must be a non-empty string")
    elif not _positive(value):
        raise CimImportError(f"{fail} value for {attribute} must be a positive number")


def _positive(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and value > 0
    )


def impute(
    building: BuildingRecord,
    *,
    rules: Rules | None = None,
    region_defaults: Mapping[str, float | str] | None = None,
) -> BuildingRecord:
    """Fill the missing attributes of one building.

    Parameters
    ----------
    building
        Record as read; present values are kept.
    rules
        Rule set; :func:`default_rules` when ``None``.
    region_defaults
        Town-level values (e.g. ``{"fortification_intensity": 8.0}``) used before the
        rules for attributes the building lacks; recorded as ``"region-default"``.

    Returns
    -------
    BuildingRecord
        A new record; ``imputed`` maps each filled attribute to its rule id.
    """
    rule_set = rules if rules is not None else default_rules()
    region = _checked_region(region_defaults or {})
    values: dict[str, Any] = {a: getattr(building, a) for a in ATTRIBUTES}
    imputed = dict(building.imputed)
    for attribute in ATTRIBUTES:
        if values[attribute] is not None:
            continue
        if attribute in region:
            values[attribute], imputed[attribute] = region[attribute], REGION_RULE
            continue
        found = _first_applicable(rule_set.for_attribute(attribute), building, values)
        if found is not None:
            values[attribute], imputed[attribute] = found[1], found[0]
    return replace(building, imputed=imputed, **values)


def impute_all(
    buildings: Sequence[BuildingRecord],
    *,
    rules: Rules | None = None,
    region_defaults: Mapping[str, float | str] | None = None,
) -> tuple[BuildingRecord, ...]:
    """:func:`impute` every building of a sequence."""
    return tuple(impute(b, rules=rules, region_defaults=region_defaults) for b in buildings)


def _checked_region(region: Mapping[str, float | str]) -> dict[str, float | str]:
    for attribute, value in region.items():
        if attribute not in ATTRIBUTES:
            raise CimImportError(f"region default for unknown attribute '{attribute}'")
        _check_value(attribute, value, f"region default '{attribute}':")
    return dict(region)


def _first_applicable(
    rules: Sequence[Rule], building: BuildingRecord, values: Mapping[str, Any]
) -> tuple[str, Any] | None:
    """(rule id, value) of the first rule whose condition holds and value computes."""
    facts = _facts(building, values)
    for rule in rules:
        if not all(_holds(key, operand, facts) for key, operand in rule.when.items()):
            continue
        value = _evaluate(rule, building, values)
        if value is not None:
            return rule.id, value
    return None


def _facts(building: BuildingRecord, values: Mapping[str, Any]) -> dict[str, Any]:
    """What conditions can test: tag, occupancy, storeys, year, design era."""
    attrs = building.source_attributes
    tag = attrs.get("building") or attrs.get("use")
    year = attrs.get("year")
    return {
        "tag": tag.lower() if tag else None,
        "occupancy": values["occupancy"],
        "storeys": values["storeys_above_ground"],
        "year": int(year) if year and str(year).isdigit() else None,
        "design_era": values["design_era"],
    }


_CONDITION_TESTS: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "tag_in": ("tag", lambda fact, operand: fact in operand),
    "occupancy_in": ("occupancy", lambda fact, operand: fact in operand),
    "occupancy_prefix": ("occupancy", lambda fact, operand: str(fact).startswith(tuple(operand))),
    "design_era_in": ("design_era", lambda fact, operand: fact in operand),
    "storeys_min": ("storeys", lambda fact, operand: fact >= operand),
    "storeys_max": ("storeys", lambda fact, operand: fact <= operand),
    "year_min": ("year", lambda fact, operand: fact >= operand),
    "year_max": ("year", lambda fact, operand: fact <= operand),
}


def _holds(key: str, operand: Any, facts: Mapping[str, Any]) -> bool:
    """A condition on a missing fact does not hold."""
    fact_name, test = _CONDITION_TESTS[key]
    fact = facts[fact_name]
    return fact is not None and test(fact, operand)


def _evaluate(rule: Rule, building: BuildingRecord, values: Mapping[str, Any]) -> Any:
    """Literal value, or the op result; ``None`` when the op's input is missing."""
    if not isinstance(rule.value, dict):
        return int(rule.value) if rule.attribute == "storeys_above_ground" else rule.value
    op = rule.value["op"]
    param_name, needs = _OPS[op]
    given = values[needs]
    if given is None:
        return None
    param = float(rule.value[param_name]) if param_name else 1.0
    if op == "height_div":
        return max(1, math.floor(given / param + 0.5))
    if op == "storeys_mul":
        return given * param
    if op == "footprint_area_x_storeys":
        if not building.footprint_wkt:
            return None
        return footprint_area_m2(building.footprint_wkt, building.footprint_epsg) * given
    if op == "floor_area_div":
        return given / param
    return given * param


def footprint_area_m2(wkt: str, epsg: int) -> float:
    """Horizontal area of a footprint in square metres.

    Geographic CRS: geodesic area on the CRS ellipsoid. Mercator-type CRS (e.g.
    EPSG:3857, not equal-area; planar area is too large by 1/cos²(latitude)): the polygon
    is unprojected to its geographic CRS first, then measured geodesically. Other
    projected CRS: planar area times the square of the axis unit in metres. EPSG 0 (a
    local plane in metres): planar area.
    """
    geom = shapely.from_wkt(wkt)
    if epsg == 0:
        return float(geom.area)
    crs = _crs(epsg)
    if crs.is_geographic:
        return _geodesic_area(geom, crs)
    if _is_mercator(crs):
        to_geographic = _to_geographic(epsg)
        lonlat = shapely.transform(
            geom, lambda xy: _stack(to_geographic.transform(xy[:, 0], xy[:, 1]))
        )
        return _geodesic_area(lonlat, crs.geodetic_crs)
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return float(geom.area) * unit * unit


def _stack(xy: tuple[Any, Any]) -> Any:
    return np.column_stack(xy)


def _geodesic_area(geom: shapely.Geometry, crs: CRS | None) -> float:
    geod = (crs or CRS.from_epsg(4326)).get_geod()
    if geod is None:
        raise CimImportError("the CRS has no ellipsoid to measure areas on")
    parts = shapely.get_parts(geom)  # pyproj needs exteriors CCW and holes CW
    return float(sum(abs(geod.geometry_area_perimeter(orient(p, 1.0))[0]) for p in parts))


@lru_cache(maxsize=32)
def _crs(epsg: int) -> CRS:
    try:
        return CRS.from_epsg(epsg)
    except CRSError as exc:
        raise CimImportError(f"unknown coordinate reference system EPSG:{epsg}") from exc


@lru_cache(maxsize=32)
def _to_geographic(epsg: int) -> Transformer:
    crs = _crs(epsg)
    return Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)


def _is_mercator(crs: CRS) -> bool:
    method = (crs.coordinate_operation.method_name if crs.coordinate_operation else "").lower()
    return "mercator" in method and "transverse" not in method
