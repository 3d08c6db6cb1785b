"""Websocket routes of the scenarios app."""

from django.urls import path

from scenarios.consumers import RunProgressConsumer

websocket_urlpatterns = [
    path("ws/towns/<slug:town_slug>/runs/<int:run_id>/", RunProgressConsumer.as_asgi()),
]
