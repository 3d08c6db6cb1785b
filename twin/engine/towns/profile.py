"""Town profiles: the data (``twin/engine/data/towns/*.json``) a demonstration town is built from.

A profile names the town, places it (WGS 84 latitude/longitude of the local-plane origin),
gives its fortification intensity (GB 18306 zoning, as a GB 50011 intensity) and target size,
and describes how to generate it: street layout, terrain, districts (occupancy, era, storeys
and footprint mixes from the centre outwards), structural-system rules, seismic isolation,
facilities, site zones, lifeline parameters and the plausibility ranges its tests check.
Real-data towns (``"kind": "real"``) name their data sources instead of a layout.
docs/towns.md documents every key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from twin.engine.records import CimImportError

PROFILE_DIR = Path(__file__).resolve().parents[1] / "data" / "towns"
ERAS: dict[str, tuple[int, int]] = {
    "pre-1974": (1920, 1974),
    "TJ11-74": (1975, 1978),
    "TJ11-78": (1979, 1989),
    "GBJ11-89": (1990, 2001),
    "GB50011-2001": (2002, 2010),
    "GB50011-2010": (2011, 2024),
}
_REQUIRED = ("slug", "name", "profile", "kind", "location", "fortification_intensity", "buildings")


@dataclass(frozen=True, slots=True)
class District:
    """Blocks of one character, assigned from the centre outwards by ``share`` of blocks."""

    name: str
    share: float
    occupancy: dict[str, float]
    eras: dict[str, float]
    storeys: dict[str, tuple[int, int]]
    footprint: dict[str, tuple[tuple[float, float], tuple[float, float]]]


@dataclass(frozen=True, slots=True)
class TownProfile:
    """A validated town profile (see the module docstring and docs/towns.md)."""

    slug: str
    name: str
    profile: str
    kind: str
    description: str
    latitude_deg: float
    longitude_deg: float
    place: str
    elevation_m: float
    fortification_intensity: float
    buildings: int
    layout: dict[str, Any] = field(default_factory=dict)
    terrain: dict[str, Any] = field(default_factory=dict)
    districts: tuple[District, ...] = ()
    systems: tuple[dict[str, Any], ...] = ()
    isolation: tuple[dict[str, Any], ...] = ()
    facilities: dict[str, Any] = field(default_factory=dict)
    site_zones: tuple[dict[str, Any], ...] = ()
    water: dict[str, Any] = field(default_factory=dict)
    gas: dict[str, Any] = field(default_factory=dict)
    power: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    landmarks: tuple[str, ...] = ()
    factors: dict[str, float] = field(default_factory=dict)
    checks: dict[str, tuple[float, float]] = field(default_factory=dict)


def profile_slugs(directory: Path | None = None) -> list[str]:
    """Slugs of the profiles shipped in ``directory`` (default: the engine's data), sorted."""
    return sorted(p.stem for p in (directory or PROFILE_DIR).glob("*.json"))


@lru_cache(maxsize=64)
def load_profile(slug: str, directory: Path | None = None) -> TownProfile:
    """Load and validate the profile ``slug``.

    Raises
    ------
    CimImportError
        Missing file, unreadable JSON or a malformed profile (the message names the key).
    """
    path = (directory or PROFILE_DIR) / f"{slug}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CimImportError(f"town profile {slug}: unreadable ({exc})") from exc
    return parse_profile(raw)


def parse_profile(raw: dict[str, Any]) -> TownProfile:
    """Validate a profile document (a dict as read from JSON)."""
    name = raw.get("slug", "?")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CimImportError(f"town profile {name}: missing {missing}")
    if raw["kind"] not in ("generated", "real"):
        raise CimImportError(f"town profile {name}: kind must be 'generated' or 'real'")
    location = raw["location"]
    districts = tuple(_district(name, d) for d in raw.get("districts", []))
    if raw["kind"] == "generated" and not districts:
        raise CimImportError(f"town profile {name}: a generated town needs 'districts'")
    return TownProfile(
        slug=raw["slug"],
        name=raw["name"],
        profile=raw["profile"],
        kind=raw["kind"],
        description=raw.get("description", ""),
        latitude_deg=float(location["latitude_deg"]),
        longitude_deg=float(location["longitude_deg"]),
        place=location.get("place", ""),
        elevation_m=float(location.get("elevation_m", 0.0)),
        fortification_intensity=float(raw["fortification_intensity"]),
        buildings=int(raw["buildings"]),
        layout=dict(raw.get("layout", {})),
        terrain=dict(raw.get("terrain", {})),
        districts=districts,
        systems=tuple(raw.get("systems", [])),
        isolation=tuple(raw.get("isolation", [])),
        facilities=dict(raw.get("facilities", {})),
        site_zones=tuple(raw.get("site_zones", [])),
        water=dict(raw.get("water", {})),
        gas=dict(raw.get("gas", {})),
        power=dict(raw.get("power", {})),
        sources=dict(raw.get("sources", {})),
        landmarks=tuple(raw.get("landmarks", [])),
        factors={k: float(v) for k, v in raw.get("factors", {}).items()},
        checks={k: (float(v[0]), float(v[1])) for k, v in raw.get("checks", {}).items()},
    )


def _district(town: str, d: dict[str, Any]) -> District:
    unknown_eras = sorted(set(d.get("eras", {})) - set(ERAS))
    if unknown_eras:
        raise CimImportError(f"town profile {town}: unknown eras {unknown_eras}")
    if not d.get("occupancy") or not d.get("eras"):
        raise CimImportError(f"town profile {town}: district {d.get('name')} needs occupancy, eras")
    return District(
        name=str(d.get("name", "")),
        share=float(d.get("share", 1.0)),
        occupancy={k: float(v) for k, v in d["occupancy"].items()},
        eras={k: float(v) for k, v in d["eras"].items()},
        storeys={k: (int(v[0]), int(v[1])) for k, v in d.get("storeys", {}).items()},
        footprint={
            k: ((float(v[0][0]), float(v[0][1])), (float(v[1][0]), float(v[1][1])))
            for k, v in d.get("footprint", {}).items()
        },
    )
