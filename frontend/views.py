"""Dashboard pages (thin: reads go through twin.selectors)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from twin import selectors


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: every town with the size of its city information model."""
    return render(request, "frontend/home.html", {"towns": selectors.town_summaries()})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe for scripts: answers with the number of towns."""
    return JsonResponse({"status": "ok", "towns": len(selectors.town_summaries())})
