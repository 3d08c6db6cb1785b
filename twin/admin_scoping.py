"""Town-scoped Django admin: a town administrator sees and changes only their towns' rows.

Who may do what
---------------
* **Superusers**: everything, as in a plain Django admin.
* **Town administrators** (an active *staff* user with a ``TownMembership`` of role ``admin``):
  view, add, change and delete the rows of the towns they administer, reached through each
  admin's declared ``town_path``. Another town's row is not in any queryset, so its change,
  history and delete pages answer 404 and foreign-key choices never offer it (a crafted POST
  naming it fails form validation with "Select a valid choice").
* **Everyone else** (viewers, planners, a staff user without an admin role): no model pages
  (403; the site's own check sends non-staff users to the login page).

Permissions come from memberships, not from Django's per-user permission rows: for a scoped
admin, ``has_*_permission`` ignores ``auth_permission`` for non-superusers, so no permission
rows need granting and a stray global ``twin.change_building`` row cannot widen a user's reach.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponseRedirect

from twin.models import Town, TownMembership

_CACHE_ATTRIBUTE = "_twin_administered_town_ids"


def administered_town_ids(request: HttpRequest) -> frozenset[int]:
    """Ids of the towns whose rows the request's user may manage in the admin.

    Parameters
    ----------
    request
        The admin request; the answer is cached on it (one query per request).

    Returns
    -------
    frozenset of int
        Every town for a superuser; the towns where an active staff user holds the ``admin``
        role; nothing for anyone else.
    """
    cached: frozenset[int] | None = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    user = request.user
    if not (user.is_active and user.is_staff):
        ids: frozenset[int] = frozenset()
    elif user.is_superuser:
        ids = frozenset(Town.objects.values_list("pk", flat=True))
    else:
        ids = frozenset(
            TownMembership.objects.filter(
                user_id=user.pk, role=TownMembership.Role.ADMIN
            ).values_list("town_id", flat=True)
        )
    setattr(request, _CACHE_ATTRIBUTE, ids)
    return ids


def validate_town_path(model: type[Model], town_path: str) -> None:
    """Raise ``ImproperlyConfigured`` unless ``town_path`` leads from ``model`` to ``Town``.

    ``""`` means the model is ``Town`` itself; otherwise a ``__``-separated chain of foreign
    keys ending in a foreign key to ``Town`` (e.g. ``"network__town"``).
    """
    if town_path == "":
        if model is not Town:
            raise ImproperlyConfigured(f"{model.__name__}: an empty town_path is only for Town")
        return
    current: type[Model] = model
    for part in town_path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(
                f"{model.__name__}.town_path {town_path!r}: {current.__name__} has no field {part!r}"
            ) from exc
        if not isinstance(field, ForeignKey):
            raise ImproperlyConfigured(
                f"{model.__name__}.town_path {town_path!r}: {part!r} is not a foreign key"
            )
        current = field.related_model  # type: ignore[assignment]
    if current is not Town:
        raise ImproperlyConfigured(
            f"{model.__name__}.town_path {town_path!r} ends at {current.__name__}, not Town"
        )


def town_id_of(obj: Model, town_path: str) -> int | None:
    """The id of the town ``obj`` belongs to, following ``town_path`` (None if a link is empty)."""
    if town_path == "":
        return obj.pk  # type: ignore[no-any-return]
    *links, last = town_path.split("__")
    current: Model | None = obj
    for link in links:
        current = getattr(current, link)
        if current is None:
            return None
    return getattr(current, f"{last}_id")  # type: ignore[no-any-return]


def _is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def scoped_choices(
    admin_site: admin.AdminSite,
    db_field: ForeignKey[Any, Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
) -> QuerySet[Any]:
    """Restrict a foreign key's choices to the rows the request's user may manage.

    The related model's own ``TownScopedAdmin`` decides (so choices and changelists agree).
    The user model is left alone: a town administrator picks existing accounts to make them
    members, and accounts belong to no town (inactive ones stay listed so that an existing
    membership of a disabled account can still be edited). Any other related model is a
    configuration error: its rows could belong to another town, so it must be registered with
    a ``TownScopedAdmin``.
    """
    related = db_field.related_model
    if isinstance(related, str):  # only before the app registry is ready; "self" by then
        related = db_field.model
    if related._meta.label == settings.AUTH_USER_MODEL:
        return queryset
    try:
        related_admin = admin_site.get_model_admin(related)
    except NotRegistered:
        related_admin = None
    if not isinstance(related_admin, TownScopedAdmin):
        raise ImproperlyConfigured(
            f"{db_field.model.__name__}.{db_field.name} points at {related.__name__}, which is "
            "not registered with a TownScopedAdmin: its choices cannot be scoped to towns"
        )
    return related_admin.scope(request, queryset)


class TownScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """ModelAdmin base that scopes querysets, choices, object pages and permissions to towns.

    Subclasses declare ``town_path``: the ``__`` path of foreign keys from the model to
    ``Town`` (``"town"``, ``"building__town"``, ``"run__scenario__town"``; ``""`` for ``Town``).
    Combine with ``GISModelAdmin`` as ``class X(TownScopedAdmin, GISModelAdmin)``.
    """

    town_path: str | None = None

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        if self.town_path is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare town_path")
        validate_town_path(model, self.town_path)
        super().__init__(model, admin_site)

    # -- rows --------------------------------------------------------------------------------

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` limited to the towns the user administers (unchanged for superusers)."""
        if _is_superuser(request):
            return queryset
        lookup = f"{self.town_path}__in" if self.town_path else "pk__in"
        return queryset.filter(**{lookup: administered_town_ids(request)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponseRedirect:
        """Another town's row (or a missing one) answers 404 instead of Django's redirect.

        Django's (private) hook for the change, history and delete views when ``get_object``
        finds nothing; ``tests/twin/test_admin_scoping.py`` notices if a Django upgrade drops it.
        """
        raise Http404(f"no {opts.verbose_name} {object_id} in your towns")

    # -- choices and filters -----------------------------------------------------------------

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, ModelChoiceField) and field.queryset is not None:
            field.queryset = scoped_choices(self.admin_site, db_field, request, field.queryset)
        return field

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Relation filters list only related rows present in the scoped changelist."""
        return [_related_only(self.model, entry) for entry in super().get_list_filter(request)]

    # -- permissions -------------------------------------------------------------------------

    def _may_manage(self, request: HttpRequest, obj: Model | None) -> bool:
        towns = administered_town_ids(request)
        if not towns:
            return False
        return obj is None or town_id_of(obj, self.town_path or "") in towns

    def has_module_permission(self, request: HttpRequest) -> bool:
        if _is_superuser(request):
            return super().has_module_permission(request)
        return self._may_manage(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_view_permission(request, obj)
        return self._may_manage(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_change_permission(request, obj)
        return self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_delete_permission(request, obj)
        return self._may_manage(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if _is_superuser(request):
            return super().has_add_permission(request)
        return self._may_manage(request, None)


class TownScopedInline(admin.TabularInline):  # type: ignore[type-arg]
    """Tabular inline on a ``TownScopedAdmin``: the parent's town decides, choices are scoped."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, ModelChoiceField) and field.queryset is not None:
            field.queryset = scoped_choices(self.admin_site, db_field, request, field.queryset)
        return field

    def _may_manage_parent(self, request: HttpRequest, obj: Model | None) -> bool:
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        if not isinstance(parent_admin, TownScopedAdmin):
            raise ImproperlyConfigured(
                f"{type(self).__name__} sits on {self.parent_model.__name__}, "
                "whose admin is not a TownScopedAdmin"
            )
        return parent_admin._may_manage(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_view_permission(request, obj)
        return self._may_manage_parent(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_change_permission(request, obj)
        return self._may_manage_parent(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if _is_superuser(request):
            return super().has_delete_permission(request, obj)
        return self._may_manage_parent(request, obj)

    def has_add_permission(  # type: ignore[override]  # the stubs miss InlineModelAdmin's obj
        self, request: HttpRequest, obj: Model | None
    ) -> bool:
        if _is_superuser(request):
            return super().has_add_permission(request, obj)  # type: ignore[call-arg]
        return self._may_manage_parent(request, obj)


def _related_only(model: type[Model], entry: Any) -> Any:
    """A plain ``list_filter`` name on a relation becomes a ``RelatedOnlyFieldListFilter``.

    Django's default relation filter lists every row of the related table (every town's name,
    every network); the related-only filter lists those reachable from the scoped changelist.
    """
    if not isinstance(entry, str):
        return entry
    last = get_fields_from_path(model, entry)[-1]
    if last.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry
