"""GIS admin for every CIM table."""

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from twin import models


@admin.register(models.Town)
class TownAdmin(GISModelAdmin):
    list_display = ["slug", "name", "profile", "crs_epsg"]
    search_fields = ["slug", "name"]


@admin.register(models.SiteZone)
class SiteZoneAdmin(GISModelAdmin):
    list_display = ["town", "name", "site_class", "vs30_m_s"]
    list_filter = ["town", "site_class"]


class StoreyInline(admin.TabularInline):
    model = models.Storey
    extra = 0
    fields = ["index", "name", "elevation_m", "height_m", "mass_kg", "floor_area_m2", "basis"]


@admin.register(models.Building)
class BuildingAdmin(GISModelAdmin):
    list_display = ["global_id", "name", "town", "structural_system", "storeys_above_ground"]
    list_filter = ["town", "structural_system", "occupancy", "design_era", "source"]
    search_fields = ["global_id", "name"]
    inlines = [StoreyInline]


@admin.register(models.Storey)
class StoreyAdmin(admin.ModelAdmin):
    list_display = ["building", "index", "name", "elevation_m", "mass_kg"]


@admin.register(models.LifelineNetwork)
class LifelineNetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "town", "source"]
    list_filter = ["town", "kind"]


@admin.register(models.NetworkNode)
class NetworkNodeAdmin(GISModelAdmin):
    list_display = ["key", "component_type", "network"]
    list_filter = ["network__town", "network", "component_type"]
    search_fields = ["key"]


@admin.register(models.NetworkLink)
class NetworkLinkAdmin(GISModelAdmin):
    list_display = ["key", "component_type", "network", "length_m", "diameter_m"]
    list_filter = ["network__town", "network", "component_type"]
    search_fields = ["key"]
    raw_id_fields = ["start", "end"]


@admin.register(models.Facility)
class FacilityAdmin(GISModelAdmin):
    list_display = ["name", "kind", "town", "capacity"]
    list_filter = ["town", "kind"]


@admin.register(models.ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "town", "created_at"]
    list_filter = ["town", "kind"]


@admin.register(models.TownMembership)
class TownMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "town", "role"]
    list_filter = ["town", "role"]
