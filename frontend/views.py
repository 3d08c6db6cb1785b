"""Dashboard pages (thin: reads go through selectors and the API)."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from twin import selectors
from twin.api.permissions import towns_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's towns with the size of their city information models."""
    towns = [selectors.town_summary(t) for t in towns_of(request.user).order_by("slug")]
    return render(request, "frontend/home.html", {"towns": towns})


@login_required
def town(request: HttpRequest, slug: str) -> HttpResponse:
    """The 3D twin of one town (CesiumJS, offline)."""
    town = get_object_or_404(towns_of(request.user), slug=slug)
    config = {
        "slug": town.slug,
        "api": reverse("building-list", args=[town.slug])[: -len("buildings/")],
    }
    return render(request, "frontend/town.html", {"town": town, "config": config})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe for scripts: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
