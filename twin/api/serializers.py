"""REST serializers of the CIM (GeoJSON for geometry)."""

from __future__ import annotations

import pyproj
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from twin.models import Building, Facility, LifelineNetwork, NetworkLink, NetworkNode, Storey, Town
from twin.vocabulary import BUILDING_ATTRIBUTES


class TownSerializer(serializers.ModelSerializer[Town]):
    class Meta:
        model = Town
        fields = ["slug", "name", "profile", "crs_epsg", "origin", "description"]


class StoreySerializer(serializers.ModelSerializer[Storey]):
    class Meta:
        model = Storey
        fields = ["index", "name", "elevation_m", "height_m", "mass_kg", "floor_area_m2", "basis"]


# A building as a GeoJSON feature: ``id``, the footprint, the attributes and ``imputed``. The
# list endpoint writes the same features without this class (``twin.api.features``); the detail
# endpoint and the OpenAPI schema use it. (No docstring: it would become the schema's text.)
class BuildingSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = Building
        geo_field = "footprint"
        id_field = "id"
        fields = ["id", *BUILDING_ATTRIBUTES, "imputed"]


class BuildingDetailSerializer(BuildingSerializer):
    storeys = StoreySerializer(many=True, read_only=True)

    class Meta(BuildingSerializer.Meta):
        fields = [*BuildingSerializer.Meta.fields, "storeys", "element_counts", "materials"]


class NetworkSerializer(serializers.ModelSerializer[LifelineNetwork]):
    nodes = serializers.IntegerField(source="nodes.count", read_only=True)
    links = serializers.IntegerField(source="links.count", read_only=True)

    class Meta:
        model = LifelineNetwork
        fields = ["id", "kind", "name", "source", "source_file", "nodes", "links"]


class NodeSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = NetworkNode
        geo_field = "location"
        fields = ["id", "key", "component_type", "elevation_m", "attributes"]


class LinkSerializer(GeoFeatureModelSerializer):
    class Meta:
        model = NetworkLink
        geo_field = "path"
        fields = ["id", "key", "component_type", "length_m", "diameter_m", "material"]


class FacilitySerializer(GeoFeatureModelSerializer):
    class Meta:
        model = Facility
        geo_field = "location"
        fields = ["id", "kind", "name", "capacity", "substance", "inventory_kg", "building"]


class ImportUploadSerializer(serializers.Serializer[dict[str, object]]):
    KINDS = ["ifc", "footprints", "epanet", "gas"]

    kind = serializers.ChoiceField(choices=KINDS)
    file = serializers.FileField()
    validate_only = serializers.BooleanField(default=False)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    epsg = serializers.IntegerField(required=False, min_value=1, max_value=999999)

    def validate_epsg(self, value: int) -> int:
        """An EPSG code PROJ knows (e.g. 4326, 32648, 4547), so the import can transform."""
        try:
            pyproj.CRS.from_epsg(value)
        except pyproj.exceptions.CRSError as exc:
            raise serializers.ValidationError(
                f"EPSG:{value} is not a known coordinate system"
            ) from exc
        return value
