"""The embedded default town: a generated IFC frame building and WNTR's Net1 water network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import wntr
from django.conf import settings
from django.contrib.auth.models import User

from twin import services
from twin.engine.ifc.writer import write_demo_building_ifc
from twin.engine.placement import LocalPlane
from twin.engine.records import CimImportError
from twin.models import Town, TownMembership
from twin.reports import ImportReport

DEMO_TOWN = "demo"
DEMO_ORIGIN = LocalPlane(latitude_deg=30.9960, longitude_deg=103.6190)  # Dujiangyan, Sichuan
SAMPLES_TOWN = "ifc-samples"
EXTERNAL_IFC = Path(settings.BASE_DIR).parent / "shared" / "data" / "external" / "ifc"
NET1 = Path(wntr.__file__).parent / "library" / "networks" / "Net1.inp"
NET1_FEET_PER_UNIT = 10 * 0.3048  # Net1's grid spacing is 10 units for 1000-ft pipes


def demo_town_build() -> Iterator[ImportReport]:
    """Generate and import the demo building and network into the demo town."""
    town = services.town_get_or_create(
        slug=DEMO_TOWN, name="Demo Town", profile="generated RC frame + EPANET Net1"
    )
    services.town_place(
        town, longitude=DEMO_ORIGIN.longitude_deg, latitude=DEMO_ORIGIN.latitude_deg
    )
    ifc_path = Path(settings.VAR_DIR) / "demo" / "demo-frame-building.ifc"
    ifc_path.parent.mkdir(parents=True, exist_ok=True)
    write_demo_building_ifc(
        ifc_path,
        name="Demo RC frame",
        latitude_deg=DEMO_ORIGIN.latitude_deg,
        longitude_deg=DEMO_ORIGIN.longitude_deg,
        storeys=3,
    )
    yield services.ifc_import(town_slug=DEMO_TOWN, path=ifc_path)
    net1_plane = LocalPlane(
        DEMO_ORIGIN.latitude_deg - 0.002,
        DEMO_ORIGIN.longitude_deg - 0.003,
        unit_m=NET1_FEET_PER_UNIT,
    )
    yield services.epanet_import(town_slug=DEMO_TOWN, path=NET1, placement=net1_plane)


def external_ifc_import() -> Iterator[ImportReport | str]:
    """Import every IFC file of ../shared/data/external/ifc (if present) into a samples town.

    Files without a georeference are placed beside the demo town; rejected files yield
    their one-line reason instead of a report.
    """
    services.town_get_or_create(slug=SAMPLES_TOWN, name="IFC samples", profile="external IFC")
    for i, path in enumerate(sorted(EXTERNAL_IFC.glob("*.ifc"))):
        placement = LocalPlane(
            DEMO_ORIGIN.latitude_deg + 0.001 * (i + 1), DEMO_ORIGIN.longitude_deg
        )
        try:
            yield services.ifc_import(town_slug=SAMPLES_TOWN, path=path, placement=placement)
        except CimImportError as exc:
            yield f"rejected {path.name}: {exc}"


def demo_user(*, password: str) -> User:
    """The local demo account: a planner of every town (the demo serves 127.0.0.1 only)."""
    user, _ = User.objects.get_or_create(username="demo")
    user.set_password(password)
    user.save()
    for town in Town.objects.all():
        TownMembership.objects.update_or_create(
            user=user, town=town, defaults={"role": TownMembership.Role.PLANNER}
        )
    return user
