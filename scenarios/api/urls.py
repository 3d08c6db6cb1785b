"""Routes of the scenarios API under /api/towns/<slug>/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from scenarios.api import czml, drills, scores, views

router = SimpleRouter()
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("runs", views.RunViewSet, basename="run")
router.register("drills", drills.DrillViewSet, basename="drill")
router.register(r"drills/(?P<drill_pk>\d+)/injects", drills.InjectViewSet, basename="drill-inject")

urlpatterns = [
    path("towns/<slug:town_slug>/", include(router.urls)),
    path(
        "towns/<slug:town_slug>/runs/<int:pk>/czml/",
        czml.RunCzmlIndexView.as_view(),
        name="run-czml-list",
    ),
    path(
        "towns/<slug:town_slug>/runs/<int:pk>/czml/<str:layer>/",
        czml.RunCzmlLayerView.as_view(),
        name="run-czml-layer",
    ),
]
urlpatterns += [
    path(
        "towns/<slug:town_slug>/runs/<int:run_pk>/scorecard/",
        scores.ScorecardView.as_view(),
        name="run-scorecard",
    ),
    path(
        "towns/<slug:town_slug>/runs/<int:run_pk>/diff/<int:other_pk>/",
        scores.DiffView.as_view(),
        name="run-diff",
    ),
    path("scores/ranking/", scores.RankingView.as_view(), name="scores-ranking"),
]
