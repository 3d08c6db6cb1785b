"""GIS admin for every CIM table, scoped to the towns a town administrator manages.

Every admin here is a ``TownScopedAdmin`` (``twin/admin_scoping.py``) with its ``town_path``;
see that module and ``docs/accounts.md`` for who may do what.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import Model
from django.http import HttpRequest

from twin import models
from twin.admin_scoping import TownScopedAdmin, TownScopedInline


@admin.register(models.Town)
class TownAdmin(TownScopedAdmin, GISModelAdmin):
    """Town administrators edit their towns; only superusers create or delete towns."""

    town_path = ""
    list_display = ["slug", "name", "profile", "crs_epsg"]
    search_fields = ["slug", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)


@admin.register(models.SiteZone)
class SiteZoneAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "town"
    list_display = ["town", "name", "site_class", "vs30_m_s"]
    list_filter = ["town", "site_class"]


class StoreyInline(TownScopedInline):
    model = models.Storey
    extra = 0
    fields = ["index", "name", "elevation_m", "height_m", "mass_kg", "floor_area_m2", "basis"]


@admin.register(models.Building)
class BuildingAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "town"
    list_display = ["global_id", "name", "town", "structural_system", "storeys_above_ground"]
    list_filter = ["town", "structural_system", "occupancy", "design_era", "source"]
    search_fields = ["global_id", "name"]
    inlines = [StoreyInline]


@admin.register(models.Storey)
class StoreyAdmin(TownScopedAdmin):
    town_path = "building__town"
    list_display = ["building", "index", "name", "elevation_m", "mass_kg"]
    list_filter = ["building__town"]
    raw_id_fields = ["building"]


@admin.register(models.LifelineNetwork)
class LifelineNetworkAdmin(TownScopedAdmin):
    town_path = "town"
    list_display = ["name", "kind", "town", "source"]
    list_filter = ["town", "kind"]


@admin.register(models.NetworkNode)
class NetworkNodeAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "network__town"
    list_display = ["key", "component_type", "network"]
    list_filter = ["network__town", "network", "component_type"]
    search_fields = ["key"]


@admin.register(models.NetworkLink)
class NetworkLinkAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "network__town"
    list_display = ["key", "component_type", "network", "length_m", "diameter_m"]
    list_filter = ["network__town", "network", "component_type"]
    search_fields = ["key"]
    raw_id_fields = ["start", "end"]


@admin.register(models.Facility)
class FacilityAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "town"
    list_display = ["name", "kind", "town", "capacity"]
    list_filter = ["town", "kind"]
    raw_id_fields = ["building"]


@admin.register(models.ImportRecord)
class ImportRecordAdmin(TownScopedAdmin):
    town_path = "town"
    list_display = ["file_name", "kind", "town", "created_at"]
    list_filter = ["town", "kind"]


@admin.register(models.TownMembership)
class TownMembershipAdmin(TownScopedAdmin):
    """Town administrators give accounts a role in their own towns (never in another)."""

    town_path = "town"
    list_display = ["user", "town", "role"]
    list_filter = ["town", "role"]
    search_fields = ["user__username"]
