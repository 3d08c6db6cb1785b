"""Town-scoped admin (issue 8): a town administrator manages only the rows of their towns.

Every registered ``TownScopedAdmin`` is exercised (the list comes from ``admin.site._registry``,
so a newly registered model is covered automatically and fails until ``populate`` makes rows
of it). Town A (``alpha``) gets two copies of every row, town B (``zebrafield``) three, so a
count that mixes the towns cannot pass (memberships: three in A, two in B). ``alice`` is admin
of A and a mere viewer of B; ``bob`` is admin of B.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from scenarios.models import Drill, DrillInject, IndicatorScore, Scenario, ScenarioRun
from twin import models as cim
from twin.admin_scoping import TownScopedAdmin, TownScopedInline

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"twin", "structures", "lifelines", "scenarios", "frontend"}
SCOPED: list[type[Model]] = sorted(
    (m for m, ma in admin.site._registry.items() if isinstance(ma, TownScopedAdmin)),
    key=lambda m: m._meta.label,
)
UNSCOPED: list[type[Model]] = sorted(
    (m for m, ma in admin.site._registry.items() if not isinstance(ma, TownScopedAdmin)),
    key=lambda m: m._meta.label,
)
M = TypeVar("M", bound=Model)
B_MARK = "zebrafield"  # every name in town B carries it; it must never reach alice's pages


def label(model: type[Model]) -> str:
    return model._meta.label


@dataclass
class World:
    """Rows per model and town key (``"A"``/``"B"``), and the accounts."""

    rows: dict[type[Model], dict[str, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: {"A": [], "B": []})
    )
    users: dict[str, User] = field(default_factory=dict)

    def add(self, key: str, *objs: Model) -> None:
        for obj in objs:
            self.rows[type(obj)][key].append(obj.pk)

    def first(self, model: type[M], key: str) -> M:
        return model._default_manager.get(pk=self.rows[model][key][0])


def square(lon: float, lat: float, size: float = 0.001) -> MultiPolygon:
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    return MultiPolygon(Polygon(ring), srid=4326)


def populate(world: World, key: str, town: cim.Town, copies: int) -> None:
    """``copies`` of every scoped row in ``town``, linked the way imports and runs link them."""
    world.add(key, town)
    s = town.slug
    for i in range(copies):
        lon, lat = 103.0 + i * 0.01, 31.0
        building = cim.Building.objects.create(
            town=town, global_id=f"{s}-b{i}", name=f"{s} building {i}", footprint=square(lon, lat)
        )
        storey = cim.Storey.objects.create(
            building=building, global_id=f"{s}-s{i}", name=f"{s} storey {i}", index=0, elevation_m=0
        )
        zone = cim.SiteZone.objects.create(
            town=town, name=f"{s} zone {i}", area=square(lon, lat, 0.01), site_class="II"
        )
        network = cim.LifelineNetwork.objects.create(town=town, kind="road", name=f"{s} roads {i}")
        start = cim.NetworkNode.objects.create(
            network=network, key=f"{s}-n{i}a", component_type="junction", location=Point(lon, lat)
        )
        end = cim.NetworkNode.objects.create(
            network=network,
            key=f"{s}-n{i}b",
            component_type="junction",
            location=Point(lon + 0.001, lat),
        )
        link = cim.NetworkLink.objects.create(
            network=network,
            key=f"{s}-l{i}",
            start=start,
            end=end,
            component_type="road",
            path=LineString((lon, lat), (lon + 0.001, lat), srid=4326),
            length_m=95.0,
        )
        hospital = cim.Facility.objects.create(
            town=town,
            kind="hospital",
            name=f"{s} hospital {i}",
            location=Point(lon, lat),
            building=building,
            capacity=120,
        )
        record = cim.ImportRecord.objects.create(
            town=town,
            kind="footprints",
            file_name=f"{s}-{i}.geojson",
            sha256="0" * 64,
            summary={"buildings": 1},
            problems=[{"code": "height-imputed"}],
        )
        scenario = Scenario.objects.create(
            town=town,
            name=f"{s} scenario {i}",
            epicentre=Point(lon, lat),
            magnitude=6.5,
            depth_km=10,
        )
        run = ScenarioRun.objects.create(scenario=scenario, status=ScenarioRun.Status.SUCCEEDED)
        score = IndicatorScore.objects.create(run=run, node="resilience", label=s, score=61.0)
        drill = Drill.objects.create(run=run, name=f"{s} drill {i}")
        inject = DrillInject.objects.create(
            drill=drill, kind=DrillInject.Kind.IGNITION, time_s=600.0, building=building
        )
        world.add(key, building, storey, zone, network, start, end, link, hospital, record)
        world.add(key, scenario, run, score, drill, inject)


def account(world: World, name: str, **flags: bool) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", "pw", **flags)
    world.users[name] = user
    return user


def member(world: World, key: str, user: User, town: cim.Town, role: str) -> None:
    world.add(key, cim.TownMembership.objects.create(user=user, town=town, role=role))


@pytest.fixture
def world() -> World:
    world = World()
    alpha = cim.Town.objects.create(slug="alpha", name="Alpha")
    zebra = cim.Town.objects.create(slug=B_MARK, name=B_MARK.title())
    populate(world, "A", alpha, copies=2)
    populate(world, "B", zebra, copies=3)
    alice = account(world, "alice", is_staff=True)
    member(world, "A", alice, alpha, "admin")
    member(world, "B", alice, zebra, "viewer")
    member(world, "A", account(world, "vera"), alpha, "viewer")
    member(world, "A", account(world, "paul"), alpha, "planner")
    member(world, "B", account(world, "bob", is_staff=True), zebra, "admin")
    world.users["root"] = User.objects.create_superuser("root", "root@example.org", "pw")
    return world


def logged_in(client: Client, world: World, name: str) -> Client:
    client.force_login(world.users[name])
    return client


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def town_admin_may(model: type[Model], world: World, perm: str, obj: Model | None = None) -> bool:
    """What the model's admin grants alice (used to pick 403 or 404 where both are right)."""
    request = type("Request", (), {"user": world.users["alice"]})()
    model_admin = admin.site.get_model_admin(model)
    check = getattr(model_admin, f"has_{perm}_permission")
    return bool(check(request) if perm == "add" else check(request, obj))


def scoped_choice_fields(form: forms.BaseForm) -> dict[str, type[Model]]:
    """Form fields choosing a row of a town-scoped model: name → related model.

    An inline form's own primary-key field is left out: Django looks the row up among the
    parent's inline rows (see ``test_an_inline_row_of_another_town_cannot_be_edited``).
    """
    own_pk = form._meta.model._meta.pk.name  # type: ignore[attr-defined]
    return {
        name: f.queryset.model
        for name, f in form.fields.items()
        if isinstance(f, forms.ModelChoiceField)
        and f.queryset is not None
        and f.queryset.model in SCOPED
        and name != own_pk
    }


def post_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser would post for ``form`` as rendered (prefixes included)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, GEOSGeometry):
            value = value.ewkt
        data[bound.html_name] = "" if value is None else value
    return data


def page_post_data(response: Any) -> dict[str, Any]:
    """POST data of an admin change or add page: the model form and every inline formset."""
    context = response.context  # type: ignore[attr-defined]
    data = post_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data |= post_data(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= post_data(form)
    return data


# -- configuration -----------------------------------------------------------------------------


def test_every_project_admin_and_inline_is_town_scoped() -> None:
    project = [m for m in admin.site._registry if m._meta.app_label in PROJECT_APPS]
    assert len(project) >= 15  # 10 CIM tables and 5 scenario tables at least
    assert set(project) <= set(SCOPED), "a project model is registered without TownScopedAdmin"
    for model in project:
        for inline in admin.site.get_model_admin(model).inlines:
            assert issubclass(inline, TownScopedInline), f"{inline.__name__} is not scoped"


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_fixture_has_rows_of_every_scoped_model_in_both_towns(
    world: World, model: type[Model]
) -> None:
    assert len(world.rows[model]["A"]) >= 1, f"populate() makes no {label(model)} in town A"
    assert len(world.rows[model]["B"]) >= 1, f"populate() makes no {label(model)} in town B"


# -- town administrator ------------------------------------------------------------------------


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_changelist_lists_only_the_own_towns_rows(
    client: Client, world: World, model: type[Model]
) -> None:
    response = logged_in(client, world, "alice").get(url(model, "changelist"))
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.result_count == len(world.rows[model]["A"])
    assert sorted(obj.pk for obj in changelist.result_list) == sorted(world.rows[model]["A"])
    assert B_MARK not in response.content.decode().lower()  # rows, filters, choices


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_another_towns_object_pages_answer_404(
    client: Client, world: World, model: type[Model]
) -> None:
    client = logged_in(client, world, "alice")
    own = world.rows[model]["A"][0]
    assert client.get(url(model, "change", own)).status_code == 200
    change_post = 404 if town_admin_may(model, world, "change") else 403
    delete = 404 if town_admin_may(model, world, "delete") else 403
    for pk in world.rows[model]["B"]:
        assert client.get(url(model, "change", pk)).status_code == 404
        assert client.get(url(model, "history", pk)).status_code == 404
        assert client.post(url(model, "change", pk), {}).status_code == change_post
        assert client.get(url(model, "delete", pk)).status_code == delete
        assert client.post(url(model, "delete", pk), {"post": "yes"}).status_code == delete
    assert model._default_manager.filter(pk__in=world.rows[model]["B"]).count() == len(
        world.rows[model]["B"]
    )


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_bulk_delete_skips_another_towns_rows(
    client: Client, world: World, model: type[Model]
) -> None:
    client = logged_in(client, world, "alice")
    selected = {"action": "delete_selected", "_selected_action": world.rows[model]["B"]}
    client.post(url(model, "changelist"), {**selected, "post": "yes"})
    remaining = model._default_manager.filter(pk__in=world.rows[model]["B"]).count()
    assert remaining == len(world.rows[model]["B"])


def test_a_missing_object_is_404_not_a_redirect_for_superusers_too(
    client: Client, world: World
) -> None:
    client = logged_in(client, world, "root")
    assert client.get(url(cim.Building, "change", 999_999)).status_code == 404


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_choices_offer_only_the_own_towns_rows(
    client: Client, world: World, model: type[Model]
) -> None:
    client = logged_in(client, world, "alice")
    pages = [url(model, "change", world.rows[model]["A"][0])]
    if town_admin_may(model, world, "add"):
        pages.append(url(model, "add"))
    else:
        assert client.get(url(model, "add")).status_code == 403
    checked = 0
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        context = response.context
        page_forms = [context["adminform"].form] + [
            form for inline in context["inline_admin_formsets"] for form in inline.formset.forms
        ]
        for form in page_forms:
            for name, related in scoped_choice_fields(form).items():
                offered = sorted(form.fields[name].queryset.values_list("pk", flat=True))
                assert offered == sorted(world.rows[related]["A"]), f"{page} {name}"
                checked += 1
    if checked == 0:
        pytest.skip(f"{label(model)}: its admin forms choose no row of a town")


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_a_crafted_post_naming_another_towns_row_is_refused(
    client: Client, world: World, model: type[Model]
) -> None:
    client = logged_in(client, world, "alice")
    obj = world.first(model, "A")
    change_url = url(model, "change", obj.pk)
    page = client.get(change_url)
    fields = scoped_choice_fields(page.context["adminform"].form)
    if not fields:
        pytest.skip(f"{label(model)}: its admin forms choose no row of a town")
    original = page_post_data(page)
    control = client.post(change_url, original)
    assert control.status_code == 302, control.context["adminform"].form.errors
    count = model._default_manager.count()
    add_page = client.get(url(model, "add")) if town_admin_may(model, world, "add") else None
    for name, related in fields.items():
        foreign = world.rows[related]["B"][0]
        refused = client.post(change_url, {**original, name: foreign})
        assert refused.status_code == 200
        assert "Select a valid choice" in str(refused.context["adminform"].form.errors[name])
        assert getattr(model._default_manager.get(pk=obj.pk), f"{name}_id") == original[name]
        if add_page is not None:
            main_fields = add_page.context["adminform"].form.fields
            data = page_post_data(add_page) | {
                k: v for k, v in original.items() if k in main_fields
            }
            refused = client.post(url(model, "add"), {**data, name: foreign})
            assert refused.status_code == 200
            assert "Select a valid choice" in str(refused.context["adminform"].form.errors[name])
    assert model._default_manager.count() == count


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_town_admin_deletes_the_own_towns_rows(
    client: Client, world: World, model: type[Model]
) -> None:
    client = logged_in(client, world, "alice")
    pk = world.rows[model]["A"][0]
    response = client.post(url(model, "delete", pk), {"post": "yes"})
    if model is cim.Town:  # the unit of access rights: superusers only
        assert response.status_code == 403
        assert cim.Town.objects.filter(pk=pk).exists()
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not model._default_manager.filter(pk=pk).exists()


def test_an_inline_row_of_another_town_cannot_be_edited(client: Client, world: World) -> None:
    client = logged_in(client, world, "alice")
    building = world.first(cim.Building, "A")
    foreign = world.first(cim.Storey, "B")
    change_url = url(cim.Building, "change", building.pk)
    data = page_post_data(client.get(change_url))
    assert data["storeys-INITIAL_FORMS"] == 1
    data |= {"storeys-0-id": foreign.pk, "storeys-0-name": "hijacked"}
    client.post(change_url, data)
    assert cim.Storey.objects.get(pk=foreign.pk).name == foreign.name
    assert cim.Storey.objects.get(pk=foreign.pk).building_id == foreign.building_id
    assert not cim.Storey.objects.filter(name="hijacked").exclude(building=building).exists()


def test_town_admin_edits_but_neither_adds_nor_deletes_towns(client: Client, world: World) -> None:
    client = logged_in(client, world, "alice")
    alpha = world.first(cim.Town, "A")
    assert client.get(url(cim.Town, "add")).status_code == 403
    assert client.post(url(cim.Town, "add"), {"slug": "new", "name": "New"}).status_code == 403
    assert not cim.Town.objects.filter(slug="new").exists()
    page = client.get(url(cim.Town, "change", alpha.pk))
    data = page_post_data(page) | {"name": "Alpha (renamed)"}
    assert client.post(url(cim.Town, "change", alpha.pk), data).status_code == 302
    assert cim.Town.objects.get(pk=alpha.pk).name == "Alpha (renamed)"


def test_town_admin_adds_members_to_the_own_town_only(client: Client, world: World) -> None:
    client = logged_in(client, world, "alice")
    newcomer = User.objects.create_user("nina", password="pw")
    alpha, zebra = world.first(cim.Town, "A"), world.first(cim.Town, "B")
    add = url(cim.TownMembership, "add")
    refused = client.post(add, {"user": newcomer.pk, "town": zebra.pk, "role": "admin"})
    assert refused.status_code == 200
    assert "town" in refused.context["adminform"].form.errors
    assert not cim.TownMembership.objects.filter(user=newcomer).exists()
    accepted = client.post(add, {"user": newcomer.pk, "town": alpha.pk, "role": "planner"})
    assert accepted.status_code == 302
    membership = cim.TownMembership.objects.get(user=newcomer)
    assert (membership.town_id, membership.role) == (alpha.pk, "planner")


def test_a_run_still_running_cannot_be_deleted(client: Client, world: World) -> None:
    run = world.first(ScenarioRun, "A")
    ScenarioRun.objects.filter(pk=run.pk).update(status=ScenarioRun.Status.RUNNING)
    client = logged_in(client, world, "alice")
    assert client.post(url(ScenarioRun, "delete", run.pk), {"post": "yes"}).status_code == 403
    assert ScenarioRun.objects.filter(pk=run.pk).exists()


def test_town_admin_index_lists_exactly_the_scoped_models(client: Client, world: World) -> None:
    response = logged_in(client, world, "alice").get("/admin/")
    assert response.status_code == 200
    listed = {m["model"] for app in response.context["app_list"] for m in app["models"]}
    assert listed == set(SCOPED)


@pytest.mark.parametrize("model", UNSCOPED, ids=label)
def test_admins_outside_the_town_scope_are_closed_to_town_admins(
    client: Client, world: World, model: type[Model]
) -> None:
    assert logged_in(client, world, "alice").get(url(model, "changelist")).status_code == 403


def test_a_town_admin_without_staff_status_is_sent_to_the_login_page(
    client: Client, world: World
) -> None:
    User.objects.filter(username="alice").update(is_staff=False)
    response = logged_in(client, world, "alice").get(url(cim.Building, "changelist"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# -- viewers, planners, superusers -------------------------------------------------------------


@pytest.mark.parametrize("name", ["vera", "paul"])
def test_viewers_and_planners_have_no_admin(client: Client, world: World, name: str) -> None:
    client = logged_in(client, world, name)
    for model in SCOPED:
        response = client.get(url(model, "changelist"))
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    User.objects.filter(username=name).update(is_staff=True)  # staff flag without admin role
    assert client.get("/admin/").context["app_list"] == []
    for model in SCOPED:
        own = world.rows[model]["A"][0]
        assert client.get(url(model, "changelist")).status_code == 403
        assert client.get(url(model, "add")).status_code == 403
        assert client.get(url(model, "change", own)).status_code == 403
        assert client.post(url(model, "delete", own), {"post": "yes"}).status_code == 403
        assert model._default_manager.filter(pk=own).exists()


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_superuser_sees_every_town(client: Client, world: World, model: type[Model]) -> None:
    client = logged_in(client, world, "root")
    response = client.get(url(model, "changelist"))
    everything = world.rows[model]["A"] + world.rows[model]["B"]
    assert sorted(obj.pk for obj in response.context["cl"].result_list) == sorted(everything)
    assert client.get(url(model, "change", world.rows[model]["B"][0])).status_code == 200
    if admin.site.get_model_admin(model).has_add_permission(response.wsgi_request):
        assert client.get(url(model, "add")).status_code == 200


def test_town_member_command_makes_a_town_admin_who_can_use_the_admin(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command

    monkeypatch.setenv("NEW_PW", "s3cret-pw")
    call_command("town_member", "carol", town=["alpha"], role="viewer", password_env="NEW_PW")
    assert not User.objects.get(username="carol").is_staff
    call_command("town_member", "carol", town=["alpha"], role="admin")
    carol = User.objects.get(username="carol")
    assert carol.is_staff and carol.check_password("s3cret-pw")
    client.force_login(carol)
    page = client.get(url(cim.Building, "changelist"))
    assert page.status_code == 200
    assert page.context["cl"].result_count == 2  # town A's two copies, none of B's three
