"""Routes of the scenarios API under /api/towns/<slug>/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from scenarios.api import views

router = SimpleRouter()
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("runs", views.RunViewSet, basename="run")

urlpatterns = [path("towns/<slug:town_slug>/", include(router.urls))]
