from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "structures"
