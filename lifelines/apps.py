from django.apps import AppConfig


class LifelinesConfig(AppConfig):
    name = "lifelines"
