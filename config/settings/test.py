"""Settings for the test suite: same database selection, faster hashing, temp media."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="twin-test-media-"))
DEBUG = False

# Runs enqueued by the API execute at once (on commit) inside the test process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
