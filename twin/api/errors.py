"""The API's exception handler: DRF's, with two messages made for people.

Django raises ``RequestDataTooBig`` / ``TooManyFieldsSent`` / ``TooManyFilesSent`` while DRF
parses a body; unhandled, they become a bare HTML "Bad Request (400)". ``get_object_or_404``
says "No ScenarioRun matches the given query."; the answer names the object in words instead
("scenario run not found ..."). Every other exception is left to DRF's handler.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with Django's body-size guards turned into a 400 that says which."""
    if isinstance(exc, RequestDataTooBig):
        limit_mib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        exc = ParseError(
            f"the request body is over {limit_mib:.1f} MiB; send files as a multipart upload"
            " (imports/) and keep other bodies small"
        )
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError(f"over {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields in one request")
    elif isinstance(exc, TooManyFilesSent):
        exc = ParseError(f"over {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files in one request")
    elif isinstance(exc, Http404) and (found := NO_MATCH.fullmatch(str(exc))):
        exc = NotFound(f"{verbose_name(found[1])} not found (it does not exist or is not yours)")
    return drf_exception_handler(exc, context)


NO_MATCH = re.compile(r"No (\w+) matches the given query\.")


def verbose_name(object_name: str) -> str:
    """``ScenarioRun`` -> ``scenario run`` (the model's verbose name; the name if unknown)."""
    for model in apps.get_models():
        if model._meta.object_name == object_name:
            return str(model._meta.verbose_name)
    return object_name
