"""CZML endpoints of a run: which time-dynamic layers it has, and each layer."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scenarios import czml
from scenarios.models import ScenarioRun
from scenarios.pipeline import run_directory
from twin.api.permissions import TownRolePermission
from twin.api.views import TownScopedMixin
from twin.models import Building, Town


def footprints_of(town: Town, ids: np.ndarray) -> czml.Footprints:
    """Outer ring of each building's largest polygon, centroid and height, in ``ids`` order."""
    rows = {  # the whole town, not ``pk__in``: SQLite caps the parameters of one query
        pk: (wkb, h)
        for pk, wkb, h in Building.objects.filter(town=town)
        .annotate(wkb=AsWKB("footprint"))
        .values_list("pk", "wkb", "height_m")
    }
    rings: list[np.ndarray | None] = []
    centroids = np.zeros((len(ids), 2))
    heights = np.full(len(ids), 3.0)
    for k, pk in enumerate(ids.tolist()):
        wkb, h = rows.get(pk, (None, None))
        heights[k] = h if h and h > 0 else 3.0
        if wkb is None:
            rings.append(None)
            continue
        geom = shapely.from_wkb(bytes(wkb))
        largest = max(shapely.get_parts(geom), key=lambda p: p.area)
        rings.append(np.asarray(largest.exterior.coords)[:-1])
        centroids[k] = shapely.get_coordinates(largest.centroid)[0]
    return czml.Footprints(rings, centroids, heights)


def realisation_number(raw: str) -> int:
    """The ``realisation`` query parameter as an index, or a ValidationError naming it."""
    if not (raw.isascii() and raw.isdigit()):
        message = f"give a realisation number, 0 or more (got {raw[:20]!r})"
        raise ValidationError({"realisation": [message]})
    if len(raw) > 9:  # no run has a billion realisations (and the cache file name stays short)
        raise ValidationError({"realisation": [f"realisation {raw[:12]}... is out of range"]})
    return int(raw)


class RunCzmlMixin(TownScopedMixin):
    def run(self) -> ScenarioRun:
        return get_object_or_404(
            ScenarioRun.objects.select_related("scenario"),
            scenario__town=self.town(),
            pk=self.kwargs["pk"],
        )


class RunCzmlIndexView(RunCzmlMixin, APIView):
    """The time-dynamic layers a run has (CZML)."""

    permission_classes = [TownRolePermission]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="towns_runs_czml_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = self.run()
        return Response({"layers": czml.available_layers(run_directory(run))})


class RunCzmlLayerView(RunCzmlMixin, APIView):
    """One time-dynamic layer of a run as a CZML document (``realisation``, default 0)."""

    permission_classes = [TownRolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "realisation", {"type": "integer", "minimum": 0}, description="lifeline realisation"
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="towns_runs_czml_layer",
    )
    def get(self, request: Request, layer: str, *args: Any, **kwargs: Any) -> FileResponse:
        run = self.run()
        if layer not in czml.LAYERS:
            raise ValidationError({"layer": [f"unknown layer; choose from {list(czml.LAYERS)}"]})
        realisation = realisation_number(request.query_params.get("realisation", "0"))
        epoch = czml.epoch_for(run.created_at, run.scenario.time_of_day)
        try:
            path = czml.cached_layer(
                layer, run_directory(run), partial(footprints_of, run.town), epoch, realisation
            )
        except FileNotFoundError as exc:
            raise Http404(str(exc)) from exc
        except czml.CzmlError as exc:
            raise ValidationError({"realisation": [str(exc)]}) from exc
        return FileResponse(path.open("rb"), content_type="application/json")
