from django.apps import AppConfig


class TwinConfig(AppConfig):
    name = "twin"
    verbose_name = "City information model"

    def ready(self) -> None:
        # pyogrio bundles its own GDAL. Loaded after mod_spatialite has been loaded into
        # sqlite3, the process aborts at exit ("double free or corruption"); loaded first,
        # both coexist. App loading runs before any database connection opens.
        import pyogrio  # noqa: F401
