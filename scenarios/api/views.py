"""REST endpoints of scenarios and runs, scoped to the user's towns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from scenarios import services
from scenarios.api import lifeline_layer
from scenarios.api import serializers as s
from scenarios.exports import run_layer_write
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from twin.api.permissions import TownRolePermission, can_write
from twin.api.views import TownScopedMixin

# Per-building result layers the globe can colour by: file in the run folder → array name.
LAYERS = {
    "damage": ("buildings", "mean_damage_state"),
    "collapse": ("buildings", "collapse_probability"),
    "stars": ("buildings", "stars"),
}
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf"}


class ScenarioViewSet(
    TownScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Scenario],
):
    """Scenario earthquakes of a town; POST creates one (planner), ``runs`` starts a run."""

    serializer_class = s.ScenarioSerializer
    permission_classes = [TownRolePermission]
    queryset = Scenario.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Scenario]:
        return Scenario.objects.filter(town=self.town()).order_by("-created_at")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The town and the role are checked before the body, so another town's endpoint
        # answers 404 whatever is posted to it.
        if not can_write(request.user, self.town()):
            raise PermissionDenied(TownRolePermission.message)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(town=self.town(), created_by=self.request.user)

    @extend_schema(request=None, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"])
    def runs(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a run of this scenario (queued; a worker executes it)."""
        scenario = self.get_object()
        if not can_write(request.user, scenario.town):
            raise PermissionDenied(TownRolePermission.message)
        run = services.run_start(scenario=scenario)
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunViewSet(TownScopedMixin, viewsets.ReadOnlyModelViewSet[ScenarioRun]):
    """Runs of a town's scenarios: status, log, cancel, result layers, scores, reports."""

    serializer_class = s.RunSerializer
    permission_classes = [TownRolePermission]
    queryset = ScenarioRun.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ScenarioRun]:
        return ScenarioRun.objects.filter(scenario__town=self.town()).order_by("-created_at")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "offset", {"type": "integer", "minimum": 0}, description="characters already read"
            )
        ],
        responses={200: dict},
    )
    @action(detail=True)
    def log(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The run's log from ``offset`` on (poll with the returned ``next``)."""
        run = self.get_object()
        raw = request.query_params.get("offset", "0")
        if not (raw.isascii() and raw.isdigit()):
            message = f"give the number of characters already read, 0 or more (got {raw[:20]!r})"
            return Response({"offset": [message]}, status=400)
        offset = int(raw) if len(raw) < 19 else len(run.log)  # 19+ digits: beyond any log
        return Response({"text": run.log[offset:], "next": len(run.log), "status": run.status})

    @extend_schema(request=None, responses={202: s.RunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask the run to stop at its next step boundary."""
        run = self.get_object()
        if not can_write(request.user, run.town):
            raise PermissionDenied(TownRolePermission.message)
        services.run_cancel(run=run)
        run.refresh_from_db()
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: s.ScoreSerializer(many=True)})
    @action(detail=True, pagination_class=None)  # one list, no pages (nor a ``page`` parameter)
    def scores(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Indicator scores of the run, with lineage."""
        run = self.get_object()
        return Response(s.ScoreSerializer(run.scores.order_by("node"), many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, url_path=r"layers/(?P<layer>[a-z]+)")
    def layers(self, request: Request, layer: str, *args: Any, **kwargs: Any) -> Response:
        """A per-building result layer: ``{"values": {building id: value}}``."""
        run = self.get_object()
        if layer not in LAYERS:
            return Response({"layer": [f"unknown layer; choose from {sorted(LAYERS)}"]}, 400)
        stem, name = LAYERS[layer]
        path = run_directory(run) / f"{stem}.npz"
        if not path.exists():
            raise Http404("this run has no such result yet")
        with np.load(path) as data:
            ids, values = data["building_id"], data[name]
        return Response(
            {"layer": layer, "values": dict(zip(ids.tolist(), values.tolist(), strict=True))}
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, url_path="lifelines")
    def lifelines(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The per-link lifeline layer: damage state and day-0 service share of every link,
        ``{"networks": {kind: counts}, "links": {link id: results}}``
        (``scenarios/api/lifeline_layer.py``)."""
        run = self.get_object()
        path = run_directory(run) / "lifelines.npz"
        if not path.exists():
            raise Http404("this run has no lifeline results yet")
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
        try:
            return Response(lifeline_layer.link_layer(arrays))
        except lifeline_layer.OutdatedRun as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, url_path=r"export/(?P<layer>hazard|buildings)/(?P<fmt>gpkg|geojson|csv)")
    def export(self, request: Request, layer: str, fmt: str, *args: Any, **kwargs: Any) -> Any:
        """A result layer as a GIS file (GeoPackage and CSV in the town's CRS, GeoJSON in WGS 84)."""
        run = self.get_object()
        folder = run_directory(run) / "exports"
        folder.mkdir(exist_ok=True)
        path = folder / f"{run.town.slug}-run{run.pk}-{layer}.{fmt}"
        try:
            run_layer_write(run, layer, path, fmt=fmt)  # type: ignore[arg-type]
        except FileNotFoundError as exc:
            raise Http404(str(exc)) from exc
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, url_path=r"report/(?P<fmt>html|pdf)")
    def report(self, request: Request, fmt: str, *args: Any, **kwargs: Any) -> FileResponse:
        """The run's assessment report (HTML or PDF) as a download."""
        run = self.get_object()
        path = Path(run_directory(run)) / REPORT_FILES[fmt]
        if not path.exists():
            raise Http404("the report of this run has not been written")
        name = f"{run.town.slug}-run{run.pk}-report.{fmt}"
        return FileResponse(path.open("rb"), as_attachment=True, filename=name)
