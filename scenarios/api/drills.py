"""REST endpoints of emergency drills and their injects, scoped to the user's towns.

``/api/towns/<slug>/drills/``: drills on the town's succeeded runs (POST: planners);
``.../drills/<id>/advance/`` and ``.../run/`` step the timeline; ``.../outcome/`` is the plan in
force, the timeline, the after-action report and GeoJSON; ``.../routes/`` the evacuation routes.
``.../drills/<id>/injects/``: the timeline's injects, editable until the clock passes them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from scenarios import drill_outcome, drills
from scenarios.models import Drill, DrillInject, ScenarioRun
from twin.api.permissions import TownRolePermission, can_write
from twin.api.views import TownScopedMixin

MAX_RESCUE_TEAMS = 1000  # far above any town's urban search-and-rescue teams


class DrillSerializer(serializers.ModelSerializer[Drill]):
    run = serializers.IntegerField(source="run_id", help_text="a succeeded run of this town")
    start_s = serializers.FloatField(
        required=False,
        min_value=0.0,
        max_value=drills.MAX_DRILL_S,
        help_text="drill start, seconds after the earthquake (within the 7-day horizon)",
    )
    rescue_teams = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_RESCUE_TEAMS
    )

    class Meta:
        model = Drill
        fields = [
            "id",
            "run",
            "name",
            "status",
            "start_s",
            "clock_s",
            "rescue_teams",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "clock_s", "outcome", "created_at", "updated_at"]


class InjectSerializer(serializers.ModelSerializer[DrillInject]):
    building = serializers.IntegerField(source="building_id", required=False, allow_null=True)
    road = serializers.IntegerField(source="road_id", required=False, allow_null=True)
    hospital = serializers.IntegerField(source="hospital_id", required=False, allow_null=True)
    applied = serializers.SerializerMethodField()

    class Meta:
        model = DrillInject
        fields = [
            "id",
            "kind",
            "time_s",
            "magnitude",
            "building",
            "road",
            "hospital",
            "applied",
            "created_at",
        ]
        read_only_fields = ["id", "applied", "created_at"]

    def get_applied(self, obj: DrillInject) -> bool:
        drill = obj.drill
        return drill.status != Drill.Status.PLANNED and obj.time_s <= drill.clock_s


class AdvanceSerializer(serializers.Serializer[Any]):
    until_s = serializers.FloatField(help_text="drill time to reach, s after the earthquake")


def _targets(data: dict[str, Any]) -> dict[str, Any]:
    """Serializer data (``building_id`` ...) as service keywords (``building`` ...)."""
    out = {k: data[k] for k in ("kind", "time_s", "magnitude") if k in data}
    out.update({k[:-3]: data[k] for k in ("building_id", "road_id", "hospital_id") if k in data})
    return out


def _raise(exc: drills.DrillInputError) -> Response:
    if isinstance(exc, drills.DrillConflict):
        return Response({exc.field: [exc.message]}, status=status.HTTP_409_CONFLICT)
    raise ValidationError({exc.field: [exc.message]}) from exc


class DrillViewSet(
    TownScopedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Drill],
):
    """Emergency drills on the town's runs; POST creates one from a succeeded run (planner)."""

    serializer_class = DrillSerializer
    permission_classes = [TownRolePermission]
    queryset = Drill.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Drill]:
        return Drill.objects.filter(run__scenario__town=self.town()).select_related(
            "run__scenario__town"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        town = self.town()
        if not can_write(request.user, town):
            raise PermissionDenied(TownRolePermission.message)
        body = DrillSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = ScenarioRun.objects.filter(pk=data["run_id"], scenario__town=town).first()
        if run is None:
            raise ValidationError({"run": [f"no run {data['run_id']} in town {town.slug}"]})
        try:
            drill = drills.drill_create(
                run=run,
                name=data.get("name", ""),
                start_s=data.get("start_s", 0.0),
                rescue_teams=data.get("rescue_teams"),
                user=request.user,
            )
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(DrillSerializer(drill).data, status=status.HTTP_201_CREATED)

    def _writable(self) -> Drill:
        drill = self.get_object()
        if not can_write(self.request.user, drill.town):
            raise PermissionDenied(TownRolePermission.message)
        return drill

    @extend_schema(request=AdvanceSerializer, responses={200: DrillSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move the drill clock forward; injects reached are applied and the plan regenerated."""
        drill = self._writable()
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            drill = drills.drill_advance(drill=drill, until_s=body.validated_data["until_s"])
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(DrillSerializer(drill).data)

    @extend_schema(request=None, responses={200: DrillSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Run the drill to its end (every inject applied); it is then finished."""
        drill = self._writable()
        try:
            drill = drills.drill_run(drill=drill)
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(DrillSerializer(drill).data)

    @extend_schema(responses={200: dict})
    @action(detail=True)
    def outcome(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Plan in force (EN/ZH text), timeline, rescue, hospitals, after-action report, GeoJSON."""
        drill = self.get_object()
        try:
            return Response(_outcome(drill))
        except drills.DrillInputError as exc:
            return _raise(exc)

    @extend_schema(
        parameters=[OpenApiParameter("plan", str, enum=["current", "initial"])],
        responses={200: dict},
    )
    @action(detail=True)
    def routes(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Evacuation and casualty routes as GeoJSON lines over the road network."""
        drill = self.get_object()
        which = request.query_params.get("plan", "current")
        if which not in {"current", "initial"}:
            raise ValidationError({"plan": ["choose current or initial"]})
        try:
            outcome = _outcome(drill)
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(outcome["routes" if which == "current" else "initial_routes"])


def _outcome(drill: Drill) -> dict[str, Any]:
    stored = drill_outcome.load(drill)
    if stored is None or stored.get("clock_s") != drill.clock_s:
        stored = drills.drill_compute(drill)
    return stored


class InjectViewSet(TownScopedMixin, viewsets.ModelViewSet[DrillInject]):
    """Injects of a drill; add, edit or remove them until the drill clock passes them."""

    serializer_class = InjectSerializer
    permission_classes = [TownRolePermission]
    queryset = DrillInject.objects.none()
    lookup_value_regex = r"\d+"

    def drill(self) -> Drill:
        return get_object_or_404(
            Drill.objects.select_related("run__scenario__town"),
            run__scenario__town=self.town(),
            pk=self.kwargs["drill_pk"],
        )

    def get_queryset(self) -> QuerySet[DrillInject]:
        return DrillInject.objects.filter(drill=self.drill()).select_related(
            "drill__run__scenario__town"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        drill = self.drill()
        if not can_write(request.user, drill.town):
            raise PermissionDenied(TownRolePermission.message)
        body = InjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            inject = drills.inject_add(
                drill=drill, user=request.user, **_targets(body.validated_data)
            )
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(InjectSerializer(inject).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inject = self.get_object()
        body = InjectSerializer(inject, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        try:
            inject = drills.inject_update(inject=inject, **_targets(body.validated_data))
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(InjectSerializer(inject).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inject = self.get_object()
        try:
            drills.inject_delete(inject=inject)
        except drills.DrillInputError as exc:
            return _raise(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)
