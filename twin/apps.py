from django.apps import AppConfig


class TwinConfig(AppConfig):
    name = "twin"
    verbose_name = "City information model"
