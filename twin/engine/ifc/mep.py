"""Pipe (MEP) networks: IFC distribution elements and ports -> nodes and links.

Graph model (deterministic; everything ordered by STEP id)
-----------------------------------------------------------
* Elements: every ``IfcDistributionFlowElement`` except cable/cable-carrier
  classes (pipes, ducts, fittings, valves, pumps, terminals, boilers, ...).
  Ports come from ``IfcRelNests`` (IFC4) or ``IfcRelConnectsPortToElement``
  (IFC2X3); port pairs from ``IfcRelConnectsPorts`` (duplicate / reversed
  relations between the same two ports count once).
* Node: every element that is not a segment (key = its GlobalId), at its
  placement origin. A segment with more than two ports is also a node
  (Problem ``segment-many-ports``).
* Link: every segment (``IfcFlowSegment`` and subtypes: pipe, duct) with at
  most two ports (key = its GlobalId). Each end is resolved from the port in
  that slot: connected to a node element -> that node; connected to another
  segment's port -> a ``junction`` node keyed ``J:<port id>-<port id>`` at
  the port midpoint; unconnected (or missing) -> an ``open-end`` node keyed
  ``O:<GlobalId>:<slot>`` at the port position (geometry end when the
  segment has no ports). A segment with no connected end at all gets
  Problem ``pipe-unconnected``; one with a single dangling end gets
  ``pipe-open-end`` (the boundary of a partial model).
* A direct port connection between two node elements (e.g. valve - fitting)
  is a ``connection`` link keyed ``C:<port id>-<port id>``, length = 3D
  distance between the two element origins.
* Link length: ``Length`` base quantity or property, else port-to-port
  distance, else the extent of the tessellated body along its main axis.
  Diameter: ``NominalDiameter``/``OuterDiameter``/``diameter`` properties,
  else the circle profile of the body. Material: material association, else
  a ``Material`` property.
* Kind of the (single, per file) network: majority over elements of the
  system ``PredefinedType``/names, port ``SystemType`` and element names
  (heating / drainage / gas / water), default ``water``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.system
import numpy as np

from twin.engine.ifc.context import ReadContext, normalised_class
from twin.engine.ifc.geometry import axis_ends, placement_origin_m, tessellate_points
from twin.engine.ifc.mep_props import LENGTH_NAMES, diameter_m, material_name, numeric_property
from twin.engine.records import LinkRecord, NetworkKind, NetworkRecord, NodeRecord, Problem

EXCLUDED = (
    "IfcCableSegment",
    "IfcCableCarrierSegment",
    "IfcCableFitting",
    "IfcCableCarrierFitting",
)
KIND_RULES: tuple[tuple[str, NetworkKind], ...] = (
    (r"HEATING|HEIZ|HVAC|HEISSWASSER|VORLAUF|RUECKLAUF|RÜCKLAUF|CHILLED|CONDENSERWATER", "heating"),
    (
        r"DRAIN|SEWAGE|SEWER|STORM|WASTE|SANITARY|RAINWATER|ABWASSER|REGENWASSER|GREYWATER|BLACKWATER",
        "drainage",
    ),
    (r"\bGAS\b|FUELGAS|ERDGAS|NATURAL ?GAS|GASLEITUNG", "gas"),
    (r"WATER|WASSER|POTABLE|DOMESTIC|FIREPROTECTION|SPRINKLER", "water"),
)


@dataclass
class PortIndex:
    """Ports of the network elements and their connections."""

    owner: dict[int, ifcopenshell.entity_instance] = field(default_factory=dict)
    ports: dict[int, list[ifcopenshell.entity_instance]] = field(default_factory=dict)
    partner: dict[int, ifcopenshell.entity_instance] = field(default_factory=dict)
    position: dict[int, np.ndarray] = field(default_factory=dict)


def network_elements(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """Return the distribution flow elements of the model in STEP-id order."""
    elements = [
        e
        for e in model.by_type("IfcDistributionFlowElement")
        if not any(e.is_a(c) for c in EXCLUDED if _in_schema(model, c))
    ]
    return sorted(elements, key=lambda e: e.id())


def _in_schema(model: ifcopenshell.file, ifc_class: str) -> bool:
    """True when ``ifc_class`` exists in the model's schema."""
    try:
        ifcopenshell.ifcopenshell_wrapper.schema_by_name(
            model.schema_identifier
        ).declaration_by_name(ifc_class)
    except (RuntimeError, IndexError):
        return False
    return True


def index_ports(ctx: ReadContext, elements: list[ifcopenshell.entity_instance]) -> PortIndex:
    """Collect ports, owners, positions (m) and partners; record duplicate-connection problems."""
    index = PortIndex()
    for element in elements:
        ports = {p.id(): p for p in ifcopenshell.util.system.get_ports(element)}
        index.ports[element.id()] = [ports[k] for k in sorted(ports)]
        for port in index.ports[element.id()]:
            index.owner[port.id()] = element
            origin = placement_origin_m(port, ctx.length_m)
            index.position[port.id()] = origin if origin is not None else _origin(ctx, element)
    for rel in sorted(ctx.model.by_type("IfcRelConnectsPorts"), key=lambda r: r.id()):
        a, b = rel.RelatingPort, rel.RelatedPort
        if a is None or b is None or a.id() == b.id():
            continue
        for this, other in ((a, b), (b, a)):
            known = index.partner.get(this.id())
            if known is not None and known.id() != other.id():
                ctx.problems.append(
                    Problem(
                        "port-multiple-connections",
                        f"port #{this.id()} is connected "
                        "more than once; only the first connection is used",
                        _gid(index.owner.get(this.id())),
                    )
                )
                continue
            index.partner.setdefault(this.id(), other)
    return index


def _gid(element: ifcopenshell.entity_instance | None) -> str | None:
    """GlobalId of an element, or None."""
    return element.GlobalId if element is not None else None


def _origin(ctx: ReadContext, element: ifcopenshell.entity_instance) -> np.ndarray:
    """Placement origin of an element in metres (zeros when it has none)."""
    origin = placement_origin_m(element, ctx.length_m)
    return origin if origin is not None else np.zeros(3)


def is_link_element(element: ifcopenshell.entity_instance, index: PortIndex) -> bool:
    """True for segments with at most two ports (they become links)."""
    return element.is_a("IfcFlowSegment") and len(index.ports.get(element.id(), [])) <= 2


def _text_of(element: ifcopenshell.entity_instance, index: PortIndex) -> str:
    """Upper-case text describing the element's system for kind classification."""
    parts: list[str] = []
    for system in ifcopenshell.util.system.get_element_systems(element):
        parts += [
            str(getattr(system, "PredefinedType", "") or ""),
            system.Name or "",
            system.ObjectType or "",
        ]
    for port in index.ports.get(element.id(), []):
        parts.append(str(getattr(port, "SystemType", "") or ""))
    psets = ifcopenshell.util.element.get_psets(element)
    parts += [
        str(v)
        for p in psets.values()
        for k, v in p.items()
        if k.lower() in ("gewerk", "medium", "system")
    ]
    parts += [element.Name or "", element.ObjectType or "", element.Description or ""]
    return " ".join(parts).upper()


def classify_kind(text: str) -> NetworkKind | None:
    """Return the network kind named by ``text`` (upper case), or None."""
    for pattern, kind in KIND_RULES:
        if re.search(pattern, text):
            return kind
    return None


def network_kind(
    ctx: ReadContext, elements: list[ifcopenshell.entity_instance], index: PortIndex
) -> NetworkKind:
    """Majority kind over elements, else from the project name, else ``water``."""
    votes = Counter(k for k in (classify_kind(_text_of(e, index)) for e in elements) if k)
    if votes:
        return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    project = ctx.model.by_type("IfcProject")[0]
    text = " ".join(str(getattr(project, a, "") or "") for a in ("Name", "LongName", "Description"))
    return classify_kind(text.upper()) or "water"


@dataclass
class GraphBuilder:
    """Accumulates nodes and links of one network (see module docstring)."""

    ctx: ReadContext
    index: PortIndex
    points: dict[int, np.ndarray]
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    links: dict[str, LinkRecord] = field(default_factory=dict)
    xyz: dict[str, np.ndarray] = field(default_factory=dict)

    def add_node(
        self, key: str, xyz: np.ndarray, component_type: str, attributes: dict[str, float | str]
    ) -> str:
        """Add a node at local ``xyz`` (m) unless the key exists; return the key."""
        if key not in self.nodes:
            x, y = self.ctx.frame.to_crs(np.asarray([xyz[:2]]))[0]
            self.nodes[key] = NodeRecord(
                key,
                float(x),
                float(y),
                component_type,
                float(xyz[2]) + self.ctx.frame.georeference.elevation_m,
                attributes,
            )
            self.xyz[key] = np.asarray(xyz, dtype=float)
        return key

    def element_node(self, element: ifcopenshell.entity_instance) -> str:
        """Node of a non-segment element."""
        attrs = {
            "name": element.Name or "",
            "ifc_class": element.is_a(),
            "predefined_type": str(ifcopenshell.util.element.get_predefined_type(element) or ""),
        }
        return self.add_node(
            element.GlobalId, _origin(self.ctx, element), normalised_class(element), attrs
        )

    def end_node(
        self, segment: ifcopenshell.entity_instance, slot: int, fallback: np.ndarray
    ) -> tuple[str, bool]:
        """Resolve one end of a segment link; return (node key, connected?)."""
        ports = self.index.ports.get(segment.id(), [])
        port = ports[slot] if slot < len(ports) else None
        partner = self.index.partner.get(port.id()) if port is not None else None
        here = self.index.position[port.id()] if port is not None else fallback
        if port is None or partner is None:
            return self.add_node(f"O:{segment.GlobalId}:{slot}", here, "open-end", {}), False
        owner = self.index.owner.get(partner.id())
        if owner is not None and not is_link_element(owner, self.index):
            return self.element_node(owner), True
        there = self.index.position.get(partner.id(), here)
        a, b = sorted((port.id(), partner.id()))
        return self.add_node(f"J:{a}-{b}", (here + there) / 2.0, "junction", {}), True

    def segment_ends(self, segment: ifcopenshell.entity_instance) -> tuple[np.ndarray, np.ndarray]:
        """Local end points (m) of a segment: its ports, else its body axis, else its origin."""
        ports = self.index.ports.get(segment.id(), [])
        if len(ports) == 2:
            return self.index.position[ports[0].id()], self.index.position[ports[1].id()]
        verts = self.points.get(segment.id())
        ends = axis_ends(verts) if verts is not None and len(verts) >= 2 else None
        if ends is None:
            origin = _origin(self.ctx, segment)
            ends = (origin, origin)
        if len(ports) == 1:
            return self.index.position[ports[0].id()], ends[1]
        return ends

    def add_segment(self, segment: ifcopenshell.entity_instance) -> None:
        """Add a segment as a link with resolved end nodes; record open ends as problems."""
        first, last = self.segment_ends(segment)
        start, start_ok = self.end_node(segment, 0, first)
        end, end_ok = self.end_node(segment, 1, last)
        if not (start_ok and end_ok):
            code, what = (
                ("pipe-open-end", "has an unconnected end")
                if start_ok or end_ok
                else ("pipe-unconnected", "is connected to nothing")
            )
            label = f"{segment.is_a()} '{segment.Name or ''}'"
            self.ctx.problems.append(Problem(code, f"{label} {what}", segment.GlobalId))
        path = [self.xyz[start], first, last, self.xyz[end]]
        length = numeric_property(segment, LENGTH_NAMES)
        length_m = (
            length * self.ctx.length_m
            if length is not None
            else float(np.linalg.norm(last - first))
        )
        self.links[segment.GlobalId] = LinkRecord(
            key=segment.GlobalId,
            start=start,
            end=end,
            component_type=normalised_class(segment),
            coords=self._polyline(path),
            length_m=length_m,
            diameter_m=diameter_m(self.ctx, segment),
            material=material_name(segment),
            attributes={
                "name": segment.Name or "",
                "ifc_class": segment.is_a(),
                "length_basis": "property" if length is not None else "end points",
            },
        )

    def add_connections(self, element: ifcopenshell.entity_instance) -> None:
        """Add ``connection`` links between node elements whose ports touch."""
        for port in self.index.ports.get(element.id(), []):
            partner = self.index.partner.get(port.id())
            owner = self.index.owner.get(partner.id()) if partner is not None else None
            if partner is None or owner is None or owner.id() == element.id():
                continue
            if is_link_element(owner, self.index):
                continue
            a, b = sorted((port.id(), partner.id()))
            start, end = self.element_node(element), self.element_node(owner)
            if f"C:{a}-{b}" in self.links:
                continue
            self.links[f"C:{a}-{b}"] = LinkRecord(
                key=f"C:{a}-{b}",
                start=start,
                end=end,
                component_type="connection",
                coords=self._polyline([self.xyz[start], self.xyz[end]]),
                length_m=float(np.linalg.norm(self.xyz[end] - self.xyz[start])),
            )

    def _polyline(self, points: list[np.ndarray]) -> tuple[tuple[float, float], ...]:
        """Transform local points to the CRS, dropping consecutive duplicates (ends kept)."""
        xy = self.ctx.frame.to_crs(np.asarray([p[:2] for p in points]))
        kept = [xy[0]] + [p for prev, p in pairwise(xy) if not np.allclose(prev, p, atol=1e-12)]
        if len(kept) == 1:
            kept.append(xy[-1])
        return tuple((float(x), float(y)) for x, y in kept)


def read_networks(ctx: ReadContext, source: str) -> list[NetworkRecord]:
    """Return the file's pipe network (zero or one NetworkRecord), per the module docstring."""
    elements = network_elements(ctx.model)
    if not elements:
        return []
    index = index_ports(ctx, elements)
    portless = [e for e in elements if e.is_a("IfcFlowSegment") and len(index.ports[e.id()]) != 2]
    builder = GraphBuilder(ctx, index, tessellate_points(ctx.model, portless))
    for element in elements:
        if is_link_element(element, index):
            builder.add_segment(element)
        else:
            if element.is_a("IfcFlowSegment"):
                ctx.problems.append(
                    Problem(
                        "segment-many-ports",
                        f"segment with {len(index.ports[element.id()])} "
                        "ports is modelled as a node",
                        element.GlobalId,
                    )
                )
            builder.element_node(element)
            builder.add_connections(element)
    kind = network_kind(ctx, elements, index)
    project = ctx.model.by_type("IfcProject")[0]
    return [
        NetworkRecord(
            kind=kind,
            # The project GlobalId keeps networks of different files apart and lets a
            # re-import of the same file update its network instead of duplicating it.
            name=f"{project.Name or source} ({kind}) {project.GlobalId}",
            epsg=ctx.frame.epsg,
            nodes=tuple(sorted(builder.nodes.values(), key=lambda n: n.key)),
            links=tuple(sorted(builder.links.values(), key=lambda link: link.key)),
            source=source,
        )
    ]
