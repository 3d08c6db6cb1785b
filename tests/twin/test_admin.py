"""Every CIM table has a working GIS admin (list and add pages)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from twin import models

CIM_MODELS = [
    models.Town,
    models.SiteZone,
    models.Building,
    models.Storey,
    models.LifelineNetwork,
    models.NetworkNode,
    models.NetworkLink,
    models.Facility,
    models.ImportRecord,
    models.TownMembership,
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", CIM_MODELS, ids=lambda m: m.__name__)
def test_admin_pages_render(client: Client, model: type) -> None:
    assert admin.site.is_registered(model)
    user = User.objects.create_superuser("planner", "p@example.org", "pw")
    client.force_login(user)
    base = f"/admin/twin/{model.__name__.lower()}/"
    assert client.get(base).status_code == 200
    assert client.get(base + "add/").status_code == 200
