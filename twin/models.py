"""City information model tables. Geometry is stored in WGS 84 (EPSG:4326), SI units inside."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.validators import MinValueValidator

from twin.vocabulary import (
    DESIGN_ERAS,
    FACILITY_KINDS,
    HAZUS_BUILDING_TYPES,
    HAZUS_OCCUPANCIES,
    NETWORK_KINDS,
    SITE_CLASSES,
    choices,
)

WGS84 = 4326
NON_NEGATIVE = [MinValueValidator(0.0)]


class Town(models.Model):
    """A demonstration town: the unit of every analysis and of access rights."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    profile = models.CharField(max_length=200, blank=True, help_text="e.g. historic masonry core")
    crs_epsg = models.PositiveIntegerField(
        default=WGS84, help_text="projected CRS for metric work and exports (EPSG code)"
    )
    origin = models.PointField(srid=WGS84, null=True, blank=True, help_text="reference point")
    boundary = models.MultiPolygonField(srid=WGS84, null=True, blank=True)
    fortification_intensity = models.FloatField(
        null=True, blank=True, help_text="GB 18306 zoning as a GB 50011 intensity (region default)"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class SiteZone(models.Model):
    """Site condition of an area of a town: Vs30 and/or GB 50011 site class."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="site_zones")
    name = models.CharField(max_length=200, blank=True)
    area = models.MultiPolygonField(srid=WGS84)
    vs30_m_s = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    site_class = models.CharField(max_length=4, choices=choices(SITE_CLASSES), blank=True)
    source = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.town.slug}: {self.site_class or self.vs30_m_s}"


class Building(models.Model):
    """A building with the attributes the structural and loss engines need."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="buildings")
    global_id = models.CharField(max_length=200, help_text="IFC GlobalId or source feature id")
    name = models.CharField(max_length=200, blank=True)
    footprint = models.MultiPolygonField(srid=WGS84, null=True, blank=True)
    height_m = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    storeys_above_ground = models.PositiveIntegerField(null=True, blank=True)
    structural_system = models.CharField(
        max_length=8, choices=choices(HAZUS_BUILDING_TYPES), blank=True
    )
    design_era = models.CharField(max_length=16, choices=choices(DESIGN_ERAS), blank=True)
    fortification_intensity = models.FloatField(null=True, blank=True)
    occupancy = models.CharField(max_length=8, choices=choices(HAZUS_OCCUPANCIES), blank=True)
    floor_area_m2 = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    day_population = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    night_population = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    replacement_cost = models.FloatField(
        null=True, blank=True, validators=NON_NEGATIVE, help_text="CNY"
    )
    isolated = models.BooleanField(default=False, help_text="seismically (base) isolated")
    source = models.CharField(max_length=300, blank=True, help_text="reader and layer")
    source_file = models.CharField(max_length=300, blank=True)
    imputed = models.JSONField(default=dict, blank=True, help_text="attribute → rule that set it")
    element_counts = models.JSONField(default=dict, blank=True)
    materials = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "global_id"], name="building_unique_id")
        ]
        ordering = ["town", "global_id"]

    def __str__(self) -> str:
        return self.name or self.global_id


class Storey(models.Model):
    """A storey of a building; mass and area feed the OpenSees models."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="storeys")
    global_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    index = models.IntegerField(help_text="0 = lowest storey of the building")
    elevation_m = models.FloatField()
    height_m = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    mass_kg = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    floor_area_m2 = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    element_counts = models.JSONField(default=dict, blank=True)
    basis = models.CharField(max_length=300, blank=True, help_text="how mass and area were found")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["building", "global_id"], name="storey_unique_id")
        ]
        ordering = ["building", "index"]

    def __str__(self) -> str:
        return self.name or self.global_id


class LifelineNetwork(models.Model):
    """A water, gas, power, road (heating, drainage) network of a town."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="networks")
    kind = models.CharField(max_length=16, choices=choices(NETWORK_KINDS))
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=40, blank=True)
    source_file = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="network_unique")]
        ordering = ["town", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class NetworkNode(models.Model):
    """A junction, tank, source, substation, fitting ... of a lifeline network."""

    network = models.ForeignKey(LifelineNetwork, on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField(max_length=200)
    component_type = models.CharField(max_length=60)
    location = models.PointField(srid=WGS84)
    elevation_m = models.FloatField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "key"], name="node_unique")]

    def __str__(self) -> str:
        return self.key


class NetworkLink(models.Model):
    """A pipe, pump, valve, line or road segment between two nodes."""

    network = models.ForeignKey(LifelineNetwork, on_delete=models.CASCADE, related_name="links")
    key = models.CharField(max_length=200)
    start = models.ForeignKey(NetworkNode, on_delete=models.CASCADE, related_name="+")
    end = models.ForeignKey(NetworkNode, on_delete=models.CASCADE, related_name="+")
    component_type = models.CharField(max_length=60)
    path = models.LineStringField(srid=WGS84)
    length_m = models.FloatField(validators=NON_NEGATIVE)
    diameter_m = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    material = models.CharField(max_length=100, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "key"], name="link_unique")]

    def __str__(self) -> str:
        return self.key


class Facility(models.Model):
    """A key facility: hospital, school, shelter, fire station, hazardous-chemical site ..."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="facilities")
    kind = models.CharField(max_length=20, choices=choices(FACILITY_KINDS))
    name = models.CharField(max_length=200)
    location = models.PointField(srid=WGS84)
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="facilities"
    )
    capacity = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    substance = models.CharField(max_length=100, blank=True, help_text="hazardous chemical")
    inventory_kg = models.FloatField(null=True, blank=True, validators=NON_NEGATIVE)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["town", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ImportRecord(models.Model):
    """One accepted import: what came in, from which file, and the problems met."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=20, help_text="ifc, footprints, epanet, pandapipes")
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    summary = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class TownMembership(models.Model):
    """A user's role in a town; every read and write is scoped by these rows."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer (read)"
        PLANNER = "planner", "Planner (run scenarios, import)"
        ADMIN = "admin", "Town administrator"

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="town_memberships")
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "town"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.town.slug} ({self.role})"
