"""Routes of the CIM API under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from twin.api import tiles, views

router = SimpleRouter()
router.register("towns", views.TownViewSet, basename="town")

town = SimpleRouter()
town.register("buildings", views.BuildingViewSet, basename="building")
town.register("networks", views.NetworkViewSet, basename="network")
town.register("facilities", views.FacilityViewSet, basename="facility")
town.register("imports", views.ImportViewSet, basename="import")

network = SimpleRouter()
network.register("nodes", views.NodeViewSet, basename="node")
network.register("links", views.LinkViewSet, basename="link")

urlpatterns = [
    path("", include(router.urls)),
    path("towns/<slug:town_slug>/", include(town.urls)),
    path("towns/<slug:town_slug>/networks/<int:network_pk>/", include(network.urls)),
    path("towns/<slug:town_slug>/tiles/tileset.json", tiles.TilesetView.as_view(), name="tileset"),
    path(
        "towns/<slug:town_slug>/tiles/<str:fingerprint>/<int:index>.glb",
        tiles.TileContentView.as_view(),
        name="tile-content",
    ),
]
