"""Read EPANET ``.inp`` water networks through WNTR into a :class:`NetworkRecord`.

WNTR converts every EPANET unit system (GPM/ft, LPS/m ...) to SI on reading: lengths and
diameters in m, elevations and heads in m, demands in m³/s, Darcy-Weisbach roughness in m
(Hazen-Williams C is dimensionless). Coordinates are taken as written in ``[COORDINATES]``
and ``[VERTICES]``; their CRS is unknown to EPANET, so the caller passes ``epsg`` (0 = a
local plane).

Some valid EPANET files use syntax WNTR 1.5 rejects in sections the twin does not need
(``[RULES]`` clock times with AM/PM, ``Quality Chemical TIME`` in ``[OPTIONS]``). When WNTR
fails, the file is read once more without ``[RULES]``, ``[CONTROLS]`` and the ``Quality``
option; success then comes with an ``inp-sections-ignored`` problem.
"""

from __future__ import annotations

import logging
import re
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from twin.engine.records import CimImportError, LinkRecord, NetworkRecord, NodeRecord, Problem

_IGNORABLE_SECTIONS = {"[RULES]", "[CONTROLS]"}
_QUALITY_OPTION = re.compile(r"^\s*quality\b", re.IGNORECASE)


def read_epanet(path: str | Path, *, epsg: int = 0) -> NetworkRecord:
    """Read an EPANET input file.

    Parameters
    ----------
    path
        ``.inp`` file.
    epsg
        EPSG code of the file's coordinates; 0 when they are a local plane.

    Returns
    -------
    NetworkRecord
        Kind ``"water"``; nodes are junctions, tanks and reservoirs, links are pipes,
        pumps and valves, all in SI units. ``problems`` lists WNTR warnings, nodes placed
        without coordinates, ignored sections and disconnected components.

    Raises
    ------
    CimImportError
        Not an ``.inp`` file, unreadable or malformed input, no junctions, or no
        coordinates at all.
    """
    source = Path(path)
    if source.suffix.lower() != ".inp":
        raise CimImportError(f"{source.name}: expected an EPANET .inp file")
    if not source.is_file():
        raise CimImportError(f"{source.name}: file not found")
    _require_flow_units(source)
    wn, problems = _load(source)
    if wn.num_junctions + wn.num_tanks + wn.num_reservoirs == 0:
        raise CimImportError(
            f"{source.name}: no junctions, tanks or reservoirs; is this an EPANET file?"
        )
    positions, placed = _positions(wn, source.name, coordinate_ids(source))
    problems.extend(placed)
    nodes = tuple(_node(name, node, positions[name]) for name, node in wn.nodes())
    headloss = str(wn.options.hydraulic.headloss)
    links = tuple(_link(name, link, positions, headloss) for name, link in wn.links())
    problems.extend(connectivity_problems(nodes, links))
    return NetworkRecord(
        kind="water",
        name=wn.name or source.stem,
        epsg=epsg,
        nodes=nodes,
        links=links,
        source=source.name,
        problems=tuple(problems),
    )


_OPTIONS = re.compile(r"^\s*\[OPTIONS\](.*?)(?=^\s*\[|\Z)", re.S | re.M | re.I)
_UNITS = re.compile(r"^\s*UNITS\s+\S+", re.M | re.I)
_NODE_SECTION = re.compile(r"^\s*\[(JUNCTIONS|RESERVOIRS|TANKS)\]", re.M | re.I)


def _require_flow_units(source: Path) -> None:
    """Refuse a file that does not say its flow units (EPANET would silently assume GPM)."""
    text = source.read_text(encoding="utf-8", errors="replace")
    if not _NODE_SECTION.search(text):
        return  # not a network at all: the reader's own message says so
    options = _OPTIONS.search(text)
    if options is None or not _UNITS.search(options.group(1)):
        raise CimImportError(
            f"{source.name}: no flow units declared; add a line such as 'UNITS LPS' (litres per "
            "second) or 'UNITS GPM' under [OPTIONS] (EPANET would assume US gallons per minute, "
            "which misreads every demand of a metric network)"
        )


def _load(source: Path) -> tuple[Any, list[Problem]]:
    """A WNTR model, retrying without control sections if WNTR rejects the file."""
    try:
        return _wntr_model(source, source.name)
    except CimImportError as first:
        text = source.read_text(encoding="utf-8", errors="replace")
        cleaned, dropped = strip_optional_sections(text)
        if not dropped:
            raise
        with tempfile.TemporaryDirectory(prefix="cim-inp-") as tmp:
            retry = Path(tmp) / source.name
            retry.write_text(cleaned, encoding="utf-8")
            try:
                wn, problems = _wntr_model(retry, source.name)
            except CimImportError:
                raise first from None
        note = Problem(
            "inp-sections-ignored",
            f"{first}; read without {', '.join(dropped)} (not needed for the twin)",
        )
        return wn, [note, *problems]


def _wntr_model(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Run WNTR's reader; its warnings become problems, its errors one CimImportError."""
    import wntr  # heavy import, only when a file is read

    wntr_logger = logging.getLogger("wntr")
    previous = wntr_logger.level
    wntr_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wn = wntr.network.WaterNetworkModel(str(path))
    except Exception as exc:  # WNTR raises many types (EpanetException, KeyError, ...)
        reason = _reason(exc).replace(str(path), display)
        raise CimImportError(f"{display}: not a valid EPANET file ({reason})") from exc
    finally:
        wntr_logger.setLevel(previous)
    messages = [" ".join(str(w.message).replace(str(path), display).split()) for w in caught]
    problems = [Problem("wntr-warning", m) for m in dict.fromkeys(messages)]
    return wn, problems


def _reason(exc: BaseException) -> str:
    """WNTR's own message, preferring the underlying cause (line number and text)."""
    parts = [str(exc)]
    if exc.__cause__ is not None:
        parts.append(str(exc.__cause__))
    text = " ".join(" | ".join(p for p in parts if p).split())
    return text[:300] or type(exc).__name__


def strip_optional_sections(text: str) -> tuple[str, list[str]]:
    """Drop ``[RULES]``, ``[CONTROLS]`` and the ``[OPTIONS] Quality`` line.

    Returns
    -------
    tuple
        The cleaned text and the names of what was dropped (empty if nothing).
    """
    kept: list[str] = []
    dropped: list[str] = []
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split()[0].upper()
        if section in _IGNORABLE_SECTIONS:
            if stripped and not stripped.startswith(";") and section not in dropped:
                dropped.append(section)
            continue
        if section == "[OPTIONS]" and _QUALITY_OPTION.match(line):
            dropped.append("[OPTIONS] Quality")
            continue
        kept.append(line)
    return "\n".join(kept) + "\n", dropped


def coordinate_ids(path: Path) -> set[str]:
    """IDs listed in the ``[COORDINATES]`` section (WNTR silently puts the rest at 0, 0)."""
    ids: set[str] = set()
    section = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = line.split(";", 1)[0].strip()
        if text.startswith("["):
            section = text.split()[0].upper()
        elif text and section == "[COORDINATES]":
            ids.add(text.split()[0])
    return ids


def _positions(
    wn: Any, file_name: str, listed: set[str]
) -> tuple[dict[str, tuple[float, float]], list[Problem]]:
    """Node coordinates; nodes without any are placed at the mean of their neighbours."""
    positions = {
        name: (float(node.coordinates[0]), float(node.coordinates[1]))
        for name, node in wn.nodes()
        if node.coordinates is not None and name in listed
    }
    if not positions:
        raise CimImportError(f"{file_name}: no node has coordinates; add a [COORDINATES] section")
    missing = [name for name, _ in wn.nodes() if name not in positions]
    if not missing:
        return positions, []
    centre = _mean(positions.values())
    graph = wn.to_graph().to_undirected()
    problems = []
    for name in missing:
        near = [positions[n] for n in graph.neighbors(name) if n in positions]
        positions[name] = _mean(near) if near else centre
        where = "neighbours" if near else "network centre"
        problems.append(
            Problem("node-no-coordinates", f"no coordinates; placed at the {where}", name)
        )
    return positions, problems


def _mean(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    pts = list(points)
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _node(name: str, node: Any, xy: tuple[float, float]) -> NodeRecord:
    """Junction (elevation, demand m³/s), tank (levels m) or reservoir (head m)."""
    kind = str(node.node_type).lower()
    attributes: dict[str, float | str] = {}
    elevation: float | None
    if kind == "junction":
        elevation = float(node.elevation)
        demands = node.demand_timeseries_list
        attributes["base_demand_m3_s"] = float(sum(d.base_value for d in demands))
    elif kind == "tank":
        elevation = float(node.elevation)
        attributes.update(
            init_level_m=float(node.init_level),
            min_level_m=float(node.min_level),
            max_level_m=float(node.max_level),
            diameter_m=float(node.diameter),
        )
    else:
        elevation = float(node.base_head)
        attributes["base_head_m"] = float(node.base_head)
    return NodeRecord(
        key=name,
        x=xy[0],
        y=xy[1],
        component_type=kind,
        elevation_m=elevation,
        attributes=attributes,
    )


def _link(
    name: str, link: Any, positions: dict[str, tuple[float, float]], headloss: str
) -> LinkRecord:
    """Pipe (length, diameter, roughness), pump or valve (length 0: equipment, not conduit)."""
    kind = str(link.link_type).lower()
    start, end = link.start_node_name, link.end_node_name
    vertices = tuple((float(x), float(y)) for x, y in (link.vertices or []))
    pipe = kind == "pipe"
    return LinkRecord(
        key=name,
        start=start,
        end=end,
        component_type=kind,
        coords=(positions[start], *vertices, positions[end]),
        length_m=float(link.length) if pipe else 0.0,
        diameter_m=float(link.diameter) if kind in ("pipe", "valve") else None,
        material=None,
        attributes=_link_attributes(kind, link, headloss),
    )


def _link_attributes(kind: str, link: Any, headloss: str) -> dict[str, float | str]:
    """Hydraulic attributes; pipe ``roughness`` is Hazen-Williams C (dimensionless),
    Darcy-Weisbach ε in m or Chezy-Manning n, as named by ``headloss_formula``."""
    attributes: dict[str, float | str] = {"initial_status": str(link.initial_status)}
    if kind == "pipe":
        attributes.update(
            roughness=float(link.roughness),
            headloss_formula=headloss,
            minor_loss=float(link.minor_loss),
            check_valve="yes" if link.check_valve else "no",
        )
    elif kind == "pump":
        attributes["pump_type"] = str(link.pump_type)
        if str(link.pump_type) == "POWER":
            attributes["power_w"] = float(link.power)
    else:
        attributes["valve_type"] = str(link.valve_type)
        attributes["setting"] = float(link.initial_setting)
    return attributes


def connectivity_problems(
    nodes: Iterable[NodeRecord], links: Iterable[LinkRecord]
) -> list[Problem]:
    """A ``network-disconnected`` problem when the undirected graph has > 1 component."""
    graph = nx.Graph()
    graph.add_nodes_from(n.key for n in nodes)
    graph.add_edges_from((link.start, link.end) for link in links)
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    if len(components) <= 1:
        return []
    sizes = [len(c) for c in components]
    sample = ", ".join(sorted(components[1])[:5])
    return [
        Problem(
            "network-disconnected",
            f"{len(components)} connected components (sizes {sizes[:10]});"
            f" e.g. {sample} not connected to the main network",
        )
    ]
