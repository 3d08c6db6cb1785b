from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/", views.town, name="town"),
    path("healthz", views.healthz, name="healthz"),
]
