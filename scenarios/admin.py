"""Admin for scenarios, runs, scores and drills, scoped to the towns a town administrator manages.

Scenarios are definitions and may be edited. Runs, their indicator scores and drills are
records written by the run chain and the drill service (the run row is the truth, decision
0004; a drill's plan lives in the run folder), so the admin shows them and may delete them but
never adds or edits them; a run still queued or running cannot be deleted (its worker owns it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.db.models import Model
from django.http import HttpRequest

from scenarios import models
from twin.admin_scoping import TownScopedAdmin


class RecordAdmin(TownScopedAdmin):
    """Rows written by the platform: view and delete only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(models.Scenario)
class ScenarioAdmin(TownScopedAdmin, GISModelAdmin):
    town_path = "town"
    list_display = ["name", "town", "magnitude", "depth_km", "gmpe", "analysis", "created_at"]
    list_filter = ["town", "gmpe", "analysis"]
    search_fields = ["name"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.ScenarioRun)
class ScenarioRunAdmin(RecordAdmin):
    town_path = "scenario__town"
    list_display = ["pk", "scenario", "status", "step", "progress", "created_at", "finished_at"]
    list_filter = ["scenario__town", "status"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if isinstance(obj, models.ScenarioRun) and not obj.finished:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.IndicatorScore)
class IndicatorScoreAdmin(RecordAdmin):
    town_path = "run__scenario__town"
    list_display = ["run", "node", "label", "score", "grade"]
    list_filter = ["run__scenario__town"]
    search_fields = ["node", "label"]


@admin.register(models.Drill)
class DrillAdmin(RecordAdmin):
    town_path = "run__scenario__town"
    list_display = ["pk", "name", "run", "status", "clock_s", "created_at"]
    list_filter = ["run__scenario__town", "status"]


@admin.register(models.DrillInject)
class DrillInjectAdmin(RecordAdmin):
    town_path = "drill__run__scenario__town"
    list_display = ["pk", "drill", "kind", "time_s", "magnitude"]
    list_filter = ["drill__run__scenario__town", "kind"]
