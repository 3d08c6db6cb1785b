"""The real-data parts of a town build: real-data towns and real landmark IFC models.

A real-data town (profile ``kind == "real"``) takes its footprints, streets and networks from
files named in the profile's ``sources`` and fetched by ``data`` (package data, see
:mod:`twin.package_data`): the transplanted footprints go through ``footprints_import`` as
GeoJSON, the EPANET (feet, converted with ``FEET_M``) and pandapipes networks through the
network importer, and the derived networks, facilities and site zones through
:mod:`twin.town_layers`. A landmark model is an IFC file imported onto a plot a generated town
reserved for it, its own georeference overridden. Both skip what is already recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from twin import services
from twin.engine.epanet import read_epanet
from twin.engine.gasnet import read_pandapipes_json
from twin.engine.placement import LocalPlane, point_mapper, points_to_wgs84
from twin.engine.records import NetworkRecord
from twin.engine.towns.profile import TownProfile
from twin.engine.towns.realtown import prepare_real_town, transplant_network
from twin.models import Town
from twin.town_layers import (
    import_recorded,
    plane_of,
    set_boundary,
    write_facilities,
    write_networks,
    write_site_zones,
)

FEET_M = 0.3048
DataFn = Callable[[str], Path]
LogFn = Callable[[str], None]


def landmark_import(
    town: Town, profile: TownProfile, path: Path | None, xy: tuple[float, float]
) -> str | None:
    """Import one landmark model onto its plot at ``xy`` (local m); return a note, if any.

    The note says the model is missing or was rejected (with the importer's reason).
    """
    if path is None:
        return "a landmark model is not available (no ../shared/data/external/ifc)"
    if import_recorded(town, "ifc", path):
        return None
    (lon, lat) = points_to_wgs84([xy], point_mapper(plane=plane_of(profile)))[0]
    try:
        services.ifc_import(
            town_slug=town.slug,
            path=path,
            placement=LocalPlane(float(lat), float(lon)),
            override_georeference=True,
            region_defaults={"fortification_intensity": profile.fortification_intensity},
        )
    except services.CimImportError as exc:
        return f"landmark {path.name} rejected: {exc}"
    return None


def _real_networks(profile: TownProfile, data: DataFn) -> list[tuple[str, Path, NetworkRecord]]:
    """The profile's real water (EPANET, feet) and gas (pandapipes) networks, transplanted."""
    sources = profile.sources
    real_networks: list[tuple[str, Path, NetworkRecord]] = []
    if "water" in sources:
        path = data(sources["water"])
        real_networks.append(("epanet", path, transplant_network(read_epanet(path), unit_m=FEET_M)))
    if "gas" in sources:
        path = data(sources["gas"])
        real_networks.append(("pandapipes", path, transplant_network(read_pandapipes_json(path))))
    return real_networks


def build_real_town(
    town: Town, profile: TownProfile, data: DataFn, workdir: Path, log: LogFn
) -> list[str]:
    """Import a real-data town's footprints, networks and derived layers; return notes."""
    plane = plane_of(profile)
    sources = profile.sources
    footprints = data(sources["footprints"])
    key, _, layer = sources["streets"].partition(":")
    real_networks = _real_networks(profile, data)
    loads = [
        (
            f"LOAD-{link.key}",
            next((n.x, n.y) for n in net.nodes if n.key == link.start),
            f"water:{link.key}",
        )
        for kind, _, net in real_networks
        if kind == "epanet"
        for link in net.links
        if link.component_type == "pump"
    ]
    skip = frozenset(n.kind for _, _, n in real_networks)
    real = prepare_real_town(
        profile, footprints, (data(key), layer), skip=skip, extra_loads=loads or None
    )
    log(f"{profile.slug}: {len(real.buildings)} real buildings")
    set_boundary(town, real.boundary_wkt, plane)
    workdir.mkdir(parents=True, exist_ok=True)
    geojson = workdir / f"{profile.slug}-footprints.geojson"
    geojson.write_text(real.geojson, encoding="utf-8")
    if not import_recorded(town, "footprints", geojson):
        services.footprints_import(
            town_slug=town.slug,
            path=geojson,
            region_defaults={"fortification_intensity": profile.fortification_intensity},
        )
    for kind, path, network in real_networks:
        if not import_recorded(town, kind, path):
            services.network_record_import(
                kind=kind, town_slug=town.slug, path=path, network=network, placement=plane
            )
    write_networks(town, real.networks, plane)
    write_facilities(town, real.facilities, plane)
    write_site_zones(town, real.site_zones, plane)
    centre = real.source_centre
    return [f"real geometry centred on lon/lat {centre[0]:.5f}, {centre[1]:.5f}"]
