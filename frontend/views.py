"""Dashboard pages (thin: reads go through selectors and the API)."""

import re

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from twin import selectors
from twin.api.permissions import towns_of

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


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


def _flatten(node: dict, depth: int = 0) -> list[dict]:  # type: ignore[type-arg]
    """Rows of an indicator tree, depth first, each with its depth (for indented tables)."""
    rows = [{**node, "depth": depth, "indent": depth * 1.2}]
    for child in node.get("children", ()):
        rows += _flatten(child, depth + 1)
    return rows


@login_required
def scorecard(request: HttpRequest, slug: str, run_pk: int) -> HttpResponse:
    """Indicator tree of one run: scores, grades, AHP weights, with a chart (scores.js)."""
    from scenarios.api.scores import scorecard_tree
    from scenarios.engine.indicator_tree import load_tree
    from scenarios.models import ScenarioRun
    from scenarios.suite import scorecard as run_scorecard

    town = get_object_or_404(towns_of(request.user), slug=slug)
    run = get_object_or_404(ScenarioRun, pk=run_pk, scenario__town=town)
    try:
        data = scorecard_tree(run_scorecard(run), load_tree())
    except LookupError as exc:
        raise Http404(str(exc)) from exc
    context = {"town": town, "run": run, "card": data, "rows": _flatten(data["tree"])}
    return render(request, "frontend/scorecard.html", context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Ranking of the user's towns on the suite; with ?town=&base=&variant=, a what-if diff."""
    from dataclasses import asdict

    from scenarios import suite
    from scenarios.engine.comparison import diff_scorecards
    from scenarios.engine.errors import IndicatorError
    from scenarios.models import ScenarioRun

    towns = list(towns_of(request.user).order_by("slug"))
    runs = suite.latest_suite_runs(towns)
    ranking = [asdict(e) for e in suite.suite_ranking(runs)] if runs else []
    context: dict[str, object] = {
        "ranking": ranking,
        "unscored": [t.slug for t in towns if t.slug not in runs],
        "suite": suite.SUITE_ID,
        "events": suite.EVENTS,
    }
    if request.GET.get("town"):
        if not SLUG.fullmatch(request.GET["town"]):  # NUL and the like never reach the query
            raise Http404("no such town")
        town = get_object_or_404(towns_of(request.user), slug=request.GET["town"])
        try:
            pks = [int(request.GET.get(k, "")) for k in ("base", "variant")]
        except ValueError:
            return render(
                request,
                "frontend/compare.html",
                {**context, "error": "give two run ids"},
                status=400,
            )
        pair = [get_object_or_404(ScenarioRun, pk=pk, scenario__town=town) for pk in pks]
        try:
            diff = diff_scorecards(*(suite.scorecard(r) for r in pair))
        except LookupError as exc:
            raise Http404(str(exc)) from exc
        except IndicatorError as exc:
            return render(
                request, "frontend/compare.html", {**context, "error": str(exc)}, status=400
            )
        context.update(
            town=town, pair=pair, diff=diff, diff_leaves=[asdict(x) for x in diff.leaves]
        )
    return render(request, "frontend/compare.html", context)


@login_required
def drill(request: HttpRequest, slug: str) -> HttpResponse:
    """The drill console of one town: drills on its runs, injects, plan and after-action report."""
    town = get_object_or_404(towns_of(request.user), slug=slug)
    config = {
        "slug": town.slug,
        "api": reverse("building-list", args=[town.slug])[: -len("buildings/")],
        "drill": request.GET.get("drill", ""),
    }
    return render(request, "frontend/drill.html", {"town": town, "config": config})
