"""3D Tiles endpoints of a town: ``tiles/tileset.json`` and its GLB contents."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from twin import tiles
from twin.api.permissions import TownRolePermission
from twin.api.views import TownScopedMixin
from twin.engine.tiles import TilesError


class TilesetView(TownScopedMixin, APIView):
    """The town's buildings as a 3D Tiles 1.1 tileset (GLB with per-building metadata)."""

    permission_classes = [TownRolePermission]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="towns_tiles_tileset")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        town = self.town()
        try:
            fingerprint, tileset = tiles.town_tileset(town)
        except TilesError as exc:
            raise ValidationError({"town": [str(exc)]}) from exc
        etag = f'"{fingerprint}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(tileset, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


class TileContentView(TownScopedMixin, APIView):
    """One tile (binary glTF) of the town's tileset; immutable for its fingerprint."""

    permission_classes = [TownRolePermission]

    @extend_schema(
        responses={(200, "model/gltf-binary"): OpenApiTypes.BINARY},
        operation_id="towns_tiles_content",
    )
    def get(self, request: Request, fingerprint: str, index: int, **kwargs: Any) -> FileResponse:
        path = tiles.tile_path(self.town(), fingerprint, index)
        if not path.exists():
            raise Http404("no such tile (the town changed since its tileset was read?)")
        response = FileResponse(path.open("rb"), content_type="model/gltf-binary")
        response["Cache-Control"] = "private, max-age=86400, immutable"
        return response
