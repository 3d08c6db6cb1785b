"""Settings shared by every environment.

The database comes from ``DATABASE_URL`` (``spatialite:///path`` or ``postgis://user@host:port/db``);
without it the embedded SpatiaLite file ``var/twin.sqlite3`` is used.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("TWIN_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "twin",
    "structures",
    "lifelines",
    "scenarios",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # English and Simplified Chinese
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_SPATIALITE = f"spatialite:///{VAR_DIR / 'twin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SPATIALITE))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves static files from the app and npm folders directly (no collectstatic step),
# under runserver, daphne and any WSGI/ASGI server alike.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# CesiumJS is installed by `npm ci` in frontend/ and served offline as /static/cesium/.
STATICFILES_DIRS = [
    ("cesium", BASE_DIR / "frontend" / "node_modules" / "cesium" / "Build" / "Cesium")
]
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "twin.api.errors.exception_handler",  # size guards in JSON, 404s in words
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Urban earthquake-resilience digital twin API",
    "DESCRIPTION": "City information models, scenario runs, results and reports, scoped by town.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Scenario runs are tasks; the database backend needs `manage.py db_worker` (see README).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TWIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Limits for parsing untrusted IFC files in a child process (see docs/ifc-import.md).
IFC_PARSE_TIMEOUT_S = float(os.environ.get("TWIN_IFC_TIMEOUT_S", "300"))
IFC_PARSE_MEMORY_BYTES = int(os.environ.get("TWIN_IFC_MEMORY_BYTES", str(4 * 2**30)))
IFC_MAX_BYTES = int(os.environ.get("TWIN_IFC_MAX_BYTES", str(1 * 2**30)))

# Debian 12's GDAL 3.6 cannot block file/network access from spatial references; the
# importers read untrusted files through pyogrio's bundled GDAL and the IFC sandbox instead.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
