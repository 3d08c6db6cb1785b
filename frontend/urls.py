from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("towns/<slug:slug>/", views.town, name="town"),
    path("towns/<slug:slug>/drill/", views.drill, name="drill"),
    path("healthz", views.healthz, name="healthz"),
    path("towns/<slug:slug>/runs/<int:run_pk>/scorecard/", views.scorecard, name="scorecard"),
    path("scores/", views.compare, name="compare"),
]
