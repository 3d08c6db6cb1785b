"""GeoJSON feature lists written without per-object serialisation (the building layer).

``GeoFeatureModelSerializer`` builds each feature in Python: a model instance, its GEOS
footprint turned into GeoJSON text by GDAL and parsed back into a dict, then one DRF field
call per attribute; on the 20,002-building town that was ~0.5 s per 1,000 features and
p95 ≈ 5 s under 8 clients (docs/benchmarks.md, "Dashboard"). Here the rows come back as
tuples with the footprint as WKB (``AsWKB``: SpatiaLite and PostGIS alike), shapely writes
all footprints of a page to GeoJSON text in one vectorised GEOS call, the attributes go
through the serializer's own fields (so the properties are what the serializer would write),
and ``FeaturesRenderer`` encodes the page in one pass and splices the geometry text in.

Output contract: the serializer's FeatureCollection, feature for feature: ``id``, ``type``,
``geometry``, ``properties`` (the serializer's fields in its order, ``None`` kept), inside
the pagination's envelope, the same bytes but for the coordinates' text. Coordinates: GEOS
writes 17 significant digits (``38.970832275819284``) where GDAL wrote the shortest text
(``38.97083227581928``); both read back to the stored double, so the parsed numbers are the
same. ``tests/twin/api/test_building_features.py`` compares the two paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework.fields import Field
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import encoders
from rest_framework_gis.serializers import GeoFeatureModelSerializer

Row = tuple[Any, str | None, dict[str, Any]]
"""One feature: its id, its geometry as GeoJSON text (``None``: no geometry), its properties."""

GEOMETRY_PLACEHOLDER = "\x00"
"""Stands for a geometry while a page is encoded; JSON writes it as ``"\\u0000"``."""
_ENCODED_PLACEHOLDER = '"geometry":"\\u0000"'
"""The placeholder as encoded. Inside an encoded string every ``"`` is escaped, so this text
(bare quotes) is a key and its value: a feature's geometry, or else a property named
``geometry`` holding the placeholder, which the renderer notices by the count (it then encodes
the page parsed, without splicing)."""


class Features:
    """The features of one page, each geometry as GeoJSON text (not parsed).

    ``FeaturesRenderer`` writes the text as it is; any other encoding (the browsable API, an
    ``indent`` in the Accept header) gets the parsed features from ``FeaturesEncoder``.
    """

    __slots__ = ("rows",)

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.as_dicts())

    def as_dicts(self) -> list[dict[str, Any]]:
        """The features as the serializer's dicts (geometry parsed)."""
        return [
            {
                "id": pk,
                "type": "Feature",
                "geometry": None if geometry is None else json.loads(geometry),
                "properties": properties,
            }
            for pk, geometry, properties in self.rows
        ]

    def with_placeholders(self) -> list[dict[str, Any]]:
        """The features with ``GEOMETRY_PLACEHOLDER`` for every geometry (for splicing)."""
        return [
            {"id": pk, "type": "Feature", "geometry": GEOMETRY_PLACEHOLDER, "properties": props}
            for pk, _, props in self.rows
        ]


class FeatureQuery:
    """The rows and features a ``GeoFeatureModelSerializer`` would serialise, done in bulk.

    Parameters
    ----------
    serializer_class
        The serializer whose output to reproduce. Its id and properties must be plain model
        fields (no dotted ``source``, no method fields), its ``geo_field`` a geometry column.
    """

    def __init__(self, serializer_class: type[GeoFeatureModelSerializer]) -> None:
        serializer = serializer_class()
        meta = serializer.Meta
        id_field = serializer.fields[meta.id_field]
        self._id = id_field.to_representation
        self._id_source = _column(id_field)
        self._geo_field: str = meta.geo_field
        fields: list[tuple[str, Field[Any, Any, Any, Any]]] = [
            (name, field)
            for name, field in serializer.fields.items()
            if name not in (meta.id_field, meta.geo_field) and not field.write_only
        ]
        self._names = [name for name, _ in fields]
        self._sources = [_column(field) for _, field in fields]
        self._represent = [field.to_representation for _, field in fields]

    def rows(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` (filtered, ordered) as tuples of id, footprint WKB and attributes."""
        return queryset.values_list(self._id_source, AsWKB(self._geo_field), *self._sources)

    def features(self, rows: Iterable[tuple[Any, ...]]) -> Features:
        """Features of rows from ``rows()``; ``None`` attributes stay ``None`` (as DRF does)."""
        rows = list(rows)
        wkb = [None if row[1] is None else bytes(row[1]) for row in rows]
        geometries: list[str | None] = shapely.to_geojson(shapely.from_wkb(wkb)).tolist()
        names, represent, to_id = self._names, self._represent, self._id
        return Features(
            [
                (
                    to_id(pk),
                    geometry,
                    {
                        name: None if value is None else rep(value)
                        for name, rep, value in zip(names, represent, values, strict=True)
                    },
                )
                for (pk, _, *values), geometry in zip(rows, geometries, strict=True)
            ]
        )


def _column(field: Field[Any, Any, Any, Any]) -> str:
    source = field.source or ""
    if not source or "." in source or source == "*":
        raise ImproperlyConfigured(
            f"FeatureQuery writes model columns only; field {field.field_name!r} has "
            f"source {source!r}"
        )
    return source


class FeaturesEncoder(encoders.JSONEncoder):
    """DRF's encoder that also writes ``Features`` (parsed: for indented or HTML output)."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, Features):
            return obj.as_dicts()
        return super().default(obj)


class FeaturesRenderer(JSONRenderer):
    """``JSONRenderer`` that splices ``Features`` geometry text into compact output.

    A mapping with ``Features`` values (the paginated FeatureCollection) rendered compactly is
    encoded in one pass with a placeholder for every geometry, then each placeholder is
    replaced by its geometry's text. Everything else, and indented output (``indent=`` in the
    Accept header, the browsable API), goes through ``JSONRenderer`` itself.
    """

    encoder_class = FeaturesEncoder

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        spliced = (
            isinstance(data, Mapping)
            and indent is None
            and self.compact
            and any(isinstance(value, Features) for value in data.values())
        )
        if not spliced:
            return super().render(data, accepted_media_type, renderer_context)
        geometries: list[str | None] = []
        plain: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, Features):
                geometries.extend(geometry for _, geometry, _ in value.rows)
                value = value.with_placeholders()
            plain[key] = value
        rendered = super().render(plain, accepted_media_type, renderer_context)
        pieces = rendered.split(_ENCODED_PLACEHOLDER.encode())
        if len(pieces) != len(geometries) + 1:  # a placeholder inside the envelope's values
            return super().render(data, accepted_media_type, renderer_context)
        spliced_geometries = [
            b'"geometry":' + (b"null" if g is None else g.encode()) for g in geometries
        ]
        return b"".join(
            [
                pieces[0],
                *(
                    part
                    for pair in zip(spliced_geometries, pieces[1:], strict=True)
                    for part in pair
                ),
            ]
        )
