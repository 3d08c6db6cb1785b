"""Town scoping: a user sees only the towns they belong to; roles gate writes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from twin.models import Town, TownMembership

WRITE_ROLES = {TownMembership.Role.PLANNER, TownMembership.Role.ADMIN}


def towns_of(user: User | AnonymousUser) -> QuerySet[Town]:
    """Towns ``user`` may see (all for superusers, none for anonymous users)."""
    if not user.is_authenticated:
        return Town.objects.none()
    if user.is_superuser:
        return Town.objects.all()
    return Town.objects.filter(memberships__user=user)


def can_write(user: User | AnonymousUser, town: Town) -> bool:
    """Planners and town administrators may import and launch runs."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return TownMembership.objects.filter(user=user, town=town, role__in=WRITE_ROLES).exists()


class TownRolePermission(BasePermission):
    """Reads need membership (enforced by scoped querysets); writes need a planner role."""

    message = "your role in this town does not allow changes (planner or admin needed)"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        town = obj if isinstance(obj, Town) else obj.town
        return can_write(request.user, town)
