"""The ``in_bbox`` filter, checked: four finite lon/lat degrees with min <= max."""

from __future__ import annotations

import math

from django.contrib.gis.geos import Polygon
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework_gis.filters import InBBoxFilter as GisInBBoxFilter

BBOX_FORMAT = "give in_bbox=min_lon,min_lat,max_lon,max_lat in degrees (WGS 84)"


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``min_lon,min_lat,max_lon,max_lat`` as floats, or a ValidationError naming ``in_bbox``.

    Longitudes must lie in [-180, 180] and latitudes in [-90, 90] degrees, each minimum at or
    below its maximum.
    """
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError({"in_bbox": [f"{BBOX_FORMAT}; got {text[:60]!r}"]})
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ValidationError({"in_bbox": ["longitudes must lie between -180 and 180 degrees"]})
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ValidationError({"in_bbox": ["latitudes must lie between -90 and 90 degrees"]})
    if min_lon > max_lon or min_lat > max_lat:
        raise ValidationError({"in_bbox": [f"the minimum exceeds the maximum; {BBOX_FORMAT}"]})
    return min_lon, min_lat, max_lon, max_lat


class InBBoxFilter(GisInBBoxFilter):
    """rest_framework_gis's ``in_bbox`` filter with the checks of :func:`parse_bbox`."""

    def get_filter_bbox(self, request: Request) -> Polygon | None:
        text = request.query_params.get(self.bbox_param, None)
        if not text:
            return None
        return Polygon.from_bbox(parse_bbox(text))
