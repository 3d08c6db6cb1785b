"""REST endpoints of the CIM, scoped to the requesting user's towns."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from twin import services
from twin.api import features
from twin.api import serializers as s
from twin.api.filters import InBBoxFilter  # in_bbox checked: finite lon/lat, min <= max
from twin.api.pagination import FeaturePagination
from twin.api.permissions import TownRolePermission, can_write, towns_of
from twin.engine.placement import LocalPlane
from twin.engine.records import CimImportError
from twin.models import Building, Facility, LifelineNetwork, NetworkLink, NetworkNode, Town
from twin.reports import ImportReport


class TownViewSet(viewsets.ReadOnlyModelViewSet[Town]):
    """Towns the user belongs to."""

    serializer_class = s.TownSerializer
    permission_classes = [TownRolePermission]
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Town]:
        return towns_of(self.request.user).order_by("slug")


class TownScopedMixin:
    """Resolve ``town_slug`` from the URL within the user's towns (404 otherwise)."""

    request: Request
    kwargs: dict[str, Any]

    def town(self) -> Town:
        return get_object_or_404(towns_of(self.request.user), slug=self.kwargs["town_slug"])


class BuildingFilter(django_filters.FilterSet):
    storeys_min = django_filters.NumberFilter("storeys_above_ground", lookup_expr="gte")
    storeys_max = django_filters.NumberFilter("storeys_above_ground", lookup_expr="lte")

    class Meta:
        model = Building
        fields = ["structural_system", "occupancy", "design_era", "source"]


class BuildingViewSet(TownScopedMixin, viewsets.ReadOnlyModelViewSet[Building]):
    """Buildings of a town as GeoJSON; ``in_bbox=minlon,minlat,maxlon,maxlat`` filters."""

    queryset = Building.objects.none()  # schema generation; get_queryset scopes
    lookup_value_regex = r"\d+"

    permission_classes = [TownRolePermission]
    pagination_class = FeaturePagination
    renderer_classes = [
        features.FeaturesRenderer if renderer is JSONRenderer else renderer
        for renderer in api_settings.DEFAULT_RENDERER_CLASSES
    ]
    filter_backends = [InBBoxFilter, django_filters.rest_framework.DjangoFilterBackend]
    bbox_filter_field = "footprint"
    bbox_filter_include_overlapping = True
    filterset_class = BuildingFilter

    def get_queryset(self) -> QuerySet[Building]:
        return Building.objects.filter(town=self.town()).order_by("id")

    def get_serializer_class(self) -> type[Any]:
        return s.BuildingDetailSerializer if self.action == "retrieve" else s.BuildingSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # BuildingSerializer's FeatureCollection, built in bulk: rows with WKB footprints,
        # GeoJSON text per page in one GEOS call, spliced in by the renderer
        # (twin.api.features). No docstring: it would replace the class's in the schema.
        query = features.FeatureQuery(s.BuildingSerializer)
        rows = query.rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response({"features": query.features(page)})
        return Response({"type": "FeatureCollection", "features": query.features(rows)})


class NetworkViewSet(TownScopedMixin, viewsets.ReadOnlyModelViewSet[LifelineNetwork]):
    """Lifeline networks of a town with their node and link counts."""

    queryset = LifelineNetwork.objects.none()  # schema generation; get_queryset scopes
    lookup_value_regex = r"\d+"

    serializer_class = s.NetworkSerializer
    permission_classes = [TownRolePermission]

    def get_queryset(self) -> QuerySet[LifelineNetwork]:
        return LifelineNetwork.objects.filter(town=self.town()).order_by("kind", "name")


class NetworkPartViewSet(TownScopedMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """Base of the node and link endpoints of one network (``part`` names the relation)."""

    part = ""
    lookup_value_regex = r"\d+"
    permission_classes = [TownRolePermission]
    pagination_class = FeaturePagination

    def get_queryset(self) -> QuerySet[Any]:
        network = get_object_or_404(LifelineNetwork, town=self.town(), pk=self.kwargs["network_pk"])
        return getattr(network, self.part).order_by("id")  # type: ignore[no-any-return]


class NodeViewSet(NetworkPartViewSet):
    """Nodes of one network as GeoJSON points."""

    part = "nodes"
    queryset = NetworkNode.objects.none()  # schema generation; get_queryset scopes
    serializer_class = s.NodeSerializer


class LinkViewSet(NetworkPartViewSet):
    """Links of one network as GeoJSON lines."""

    part = "links"
    queryset = NetworkLink.objects.none()  # schema generation; get_queryset scopes
    serializer_class = s.LinkSerializer


class FacilityViewSet(TownScopedMixin, viewsets.ReadOnlyModelViewSet[Facility]):
    """Key facilities of a town as GeoJSON points."""

    queryset = Facility.objects.none()  # schema generation; get_queryset scopes
    lookup_value_regex = r"\d+"

    serializer_class = s.FacilitySerializer
    permission_classes = [TownRolePermission]
    pagination_class = FeaturePagination

    def get_queryset(self) -> QuerySet[Facility]:
        return Facility.objects.filter(town=self.town()).order_by("kind", "name")


class ImportViewSet(TownScopedMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Town]):
    """Upload an IFC, footprint, EPANET or gas file into a town (``validate_only`` writes nothing)."""

    serializer_class = s.ImportUploadSerializer
    permission_classes = [TownRolePermission]
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: dict, 201: dict})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        town = self.town()
        if not can_write(request.user, town):
            raise PermissionDenied(TownRolePermission.message)
        upload = s.ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        with tempfile.TemporaryDirectory(prefix="twin-upload-") as tmp:
            path = Path(tmp) / Path(data["file"].name).name
            with path.open("wb") as fh:
                for chunk in data["file"].chunks():
                    fh.write(chunk)
            try:
                report = run_upload(town, path, data)
            except CimImportError as exc:  # the message names the file, not our temp folder
                reason = str(exc).replace(f"{Path(tmp).resolve()}/", "").replace(f"{tmp}/", "")
                raise ValidationError({"file": [f"rejected {path.name}: {reason}"]}) from exc
        code = status.HTTP_200_OK if report.validate_only else status.HTTP_201_CREATED
        return Response(report.as_dict(), status=code)


def run_upload(town: Town, path: Path, data: dict[str, Any]) -> ImportReport:
    """Dispatch an uploaded file to its import service."""
    placement = None
    if data.get("lat") is not None and data.get("lon") is not None:
        placement = LocalPlane(data["lat"], data["lon"])
    common = {"town_slug": town.slug, "path": path, "validate_only": data["validate_only"]}
    if data["kind"] == "ifc":
        return services.ifc_import(placement=placement, **common)
    if data["kind"] == "footprints":
        return services.footprints_import(**common)
    if data["kind"] == "epanet":
        return services.epanet_import(epsg=data.get("epsg"), placement=placement, **common)
    return services.gas_network_import(epsg=data.get("epsg"), placement=placement, **common)
