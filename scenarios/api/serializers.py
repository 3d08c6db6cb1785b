"""REST serializers of scenarios and runs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from scenarios.models import IndicatorScore, Scenario, ScenarioRun


class ScenarioSerializer(serializers.ModelSerializer[Scenario]):
    epicentre = GeometryField(help_text="GeoJSON point (lon, lat)")
    town = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "town",
            "name",
            "epicentre",
            "magnitude",
            "depth_km",
            "strike_deg",
            "dip_deg",
            "rake_deg",
            "finite_rupture",
            "gmpe",
            "analysis",
            "realisations",
            "seed",
            "time_of_day",
            "wind_speed_m_s",
            "wind_from_deg",
            "created_at",
        ]
        read_only_fields = ["id", "town", "created_at"]
        # Ranges of the source and the fire weather (degrees, m/s): the rupture model divides
        # by sin(dip), and angles outside them are a typo a planner should see at once.
        extra_kwargs = {
            "strike_deg": {"min_value": 0.0, "max_value": 360.0},
            "dip_deg": {"min_value": 1.0, "max_value": 90.0},
            "rake_deg": {"min_value": -180.0, "max_value": 180.0},
            "wind_speed_m_s": {"min_value": 0.0, "max_value": 70.0},
            "wind_from_deg": {"min_value": 0.0, "max_value": 360.0},
        }

    def validate_epicentre(self, value: Any) -> Any:
        if value.geom_type != "Point" or not (-180 <= value.x <= 180 and -90 <= value.y <= 90):
            raise serializers.ValidationError("the epicentre must be a lon/lat point")
        value.srid = 4326
        return value


class RunSerializer(serializers.ModelSerializer[ScenarioRun]):
    scenario = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ScenarioRun
        fields = [
            "id",
            "scenario",
            "status",
            "step",
            "progress",
            "error",
            "cancel_requested",
            "input_digest",
            "versions",
            "timings",
            "summary",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer[IndicatorScore]):
    class Meta:
        model = IndicatorScore
        fields = ["node", "label", "score", "grade", "weight", "lineage"]
