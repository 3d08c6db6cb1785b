"""Roads, two shelters, a hospital and a fire station around a town's buildings, for drills.

All buildings snap to road node ``hub`` at their centre. Shelter S1 lies 800 m east over the
only route hub–x1–s1; shelter S2 1200 m west over hub–w1–w2–s2; hospital H1 off w1, 500 m north
(away from the buildings, whose debris can block roads next to them).
Closing ``hub-x1`` leaves S2 as the only shelter reachable.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from django.contrib.gis.geos import Point
from pyproj import Transformer

from lifelines.selectors import metric_epsg, project
from twin import services
from twin.engine.records import LinkRecord, NetworkRecord, NodeRecord
from twin.models import Facility, Town

NODES = {
    "hub": (0.0, 0.0),
    "x1": (400.0, 0.0),
    "s1": (800.0, 0.0),
    "w1": (-400.0, 0.0),
    "w2": (-800.0, 0.0),
    "s2": (-1200.0, 0.0),
    "h1": (-400.0, 500.0),
}
LINKS = [("hub", "x1"), ("x1", "s1"), ("hub", "w1"), ("w1", "w2"), ("w2", "s2"), ("w1", "h1")]
FACILITIES = [  # kind, name, node, capacity
    ("shelter", "S1", "s1", 1000.0),
    ("shelter", "S2", "s2", 1000.0),
    ("hospital", "H1", "h1", 100.0),
    ("fire_station", "F1", "hub", 2.0),
]


def add_drill_network(slug: str) -> None:
    """Import the road network and create the facilities around ``slug``'s buildings."""
    town = Town.objects.get(slug=slug)
    epsg = metric_epsg(town)
    centres = [b.footprint.centroid for b in town.buildings.all()]
    xy = project([c.x for c in centres], [c.y for c in centres], epsg).mean(axis=0)
    nodes = {k: (xy[0] + dx, xy[1] + dy) for k, (dx, dy) in NODES.items()}
    record = NetworkRecord(
        "road",
        "drill roads",
        epsg,
        tuple(NodeRecord(k, x, y, "junction") for k, (x, y) in nodes.items()),
        tuple(
            LinkRecord(
                f"{a}-{b}",
                a,
                b,
                "residential",
                (nodes[a], nodes[b]),
                float(np.hypot(*np.subtract(nodes[a], nodes[b]))),
            )
            for a, b in LINKS
        ),
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "drill-roads.json"
        path.write_text(repr(record))
        services.network_record_import(kind="gis", town_slug=slug, path=path, network=record)
    to_lonlat = Transformer.from_crs(epsg, 4326, always_xy=True)
    for kind, name, node, capacity in FACILITIES:
        lon, lat = to_lonlat.transform(*nodes[node])
        Facility.objects.create(
            town=town, kind=kind, name=name, location=Point(lon, lat, srid=4326), capacity=capacity
        )
