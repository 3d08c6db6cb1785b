"""Pagination of the GeoJSON feature lists, with a clear error for a bad ``page_size``."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework_gis.pagination import GeoJsonPagination


class FeaturePagination(GeoJsonPagination):
    """Pages of 1000 features; ``page_size`` picks 1 to 10000 (anything else answers 400)."""

    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10000

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"give a whole number of features per page from 1 to {self.max_page_size}"
                        f" (got {raw[:20]!r})"
                    ]
                }
            )
        return size
