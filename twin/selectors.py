"""Reads of the city information model."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from twin.models import Building, LifelineNetwork, NetworkLink, NetworkNode, Storey, Town


def town_summaries() -> list[dict[str, Any]]:
    """Every town with the counts of its CIM objects."""
    return [town_summary(town) for town in Town.objects.order_by("slug")]


def town_summary(town: Town) -> dict[str, Any]:
    """Counts of buildings, storeys, networks, nodes, links and facilities of ``town``."""
    return {
        "slug": town.slug,
        "name": town.name,
        "profile": town.profile,
        "buildings": Building.objects.filter(town=town).count(),
        "storeys": Storey.objects.filter(building__town=town).count(),
        "networks": LifelineNetwork.objects.filter(town=town).count(),
        "nodes": NetworkNode.objects.filter(network__town=town).count(),
        "links": NetworkLink.objects.filter(network__town=town).count(),
        "facilities": town.facilities.count(),
    }


def town_buildings(town: Town) -> QuerySet[Building]:
    """Buildings of ``town`` with their storeys prefetched."""
    return Building.objects.filter(town=town).prefetch_related("storeys").order_by("global_id")


def town_networks(town: Town) -> QuerySet[LifelineNetwork]:
    """Lifeline networks of ``town``."""
    return LifelineNetwork.objects.filter(town=town).order_by("kind", "name")
