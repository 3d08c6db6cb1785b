"""Read a pandapipes JSON gas network into a :class:`NetworkRecord` (no pandapipes needed).

A pandapipes JSON file is ``{"_module": "pandapipes.pandapipes_net", "_class":
"pandapipesNet", "_object": {table: {"_class": "DataFrame", "orient": "split", "_object":
"<pandas split JSON>"}, ...}}``; each table string holds ``columns``, ``index`` and
``data``. Tables used: ``junction`` (+ ``junction_geodata`` x/y), ``pipe``
(+ ``pipe_geodata`` coords), ``ext_grid`` and ``sink``.

Mapping: junction -> node (component type = the junction ``type`` column, e.g.
``junction`` / ``house_node``; ``source`` where an ext_grid feeds it), ``height_m`` ->
elevation; sinks summed per junction (``sink_count``, ``sink_mdot_kg_per_s``,
``sink_demand_m3_per_a``); pipe -> link (``length_km`` x 1000 -> ``length_m``,
``diameter_m``, ``k_mm`` and ``roughness_m`` = k_mm / 1000, material from the STANET type
such as ``125 PE 100 SDR 11`` -> ``PE``).

CRS: pandapipes stores no CRS. With ``epsg=None`` it is inferred: lon/lat ranges ->
EPSG:4326; German Gauss-Krüger eastings (zone digit 2-5 then 6 digits, northings
5.2-6.2 Mm) -> DHDN / 3-degree Gauss-Krüger zone N (EPSG:31466-31469); an inferred CRS is
reported as a ``crs-inferred`` problem.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from twin.engine.epanet import connectivity_problems
from twin.engine.records import CimImportError, LinkRecord, NetworkRecord, NodeRecord, Problem

_GK_EPSG = {2: 31466, 3: 31467, 4: 31468, 5: 31469}
_MATERIAL = re.compile(r"\b(PE|PVC|PEX|PE-X|ST|STAHL|GG|GGG|GUSS|CU|AL)\b", re.IGNORECASE)
Table = list[dict[str, Any]]


def read_pandapipes_json(path: str | Path, *, epsg: int | None = None) -> NetworkRecord:
    """Read a pandapipes network saved with ``pandapipes.to_json``.

    Parameters
    ----------
    path
        ``.json`` file.
    epsg
        EPSG code of the junction geodata; inferred when ``None`` (see module docstring).

    Returns
    -------
    NetworkRecord
        Kind ``"gas"``; lengths and diameters in m, roughness in m and mm.

    Raises
    ------
    CimImportError
        Unreadable JSON, not a pandapipes net, no junctions or no geodata, or a CRS that
        cannot be inferred.
    """
    source = Path(path)
    tables = _tables(source)
    junctions = tables.get("junction", [])
    if not junctions:
        raise CimImportError(f"{source.name}: the pandapipes net has no junctions")
    geodata = {row["_index"]: row for row in tables.get("junction_geodata", [])}
    if not geodata:
        raise CimImportError(
            f"{source.name}: junctions have no geodata (x, y); cannot place the network"
        )
    problems: list[Problem] = []
    if epsg is None:
        epsg, note = infer_epsg([(r["x"], r["y"]) for r in geodata.values()], source.name)
        problems.append(note)
    keys = _junction_keys(junctions)
    nodes = _nodes(junctions, geodata, keys, tables, problems)
    positions = {n.key: (n.x, n.y) for n in nodes}
    links = _links(
        tables.get("pipe", []), tables.get("pipe_geodata", []), keys, positions, problems
    )
    problems.extend(connectivity_problems(nodes, links))
    return NetworkRecord(
        kind="gas",
        name=str(tables.get("_name") or source.stem),
        epsg=epsg,
        nodes=tuple(nodes),
        links=tuple(links),
        source=source.name,
        problems=tuple(problems),
    )


def _tables(source: Path) -> dict[str, Any]:
    """Decode every DataFrame table of the net into a list of row dicts (``_index`` added)."""
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CimImportError(f"{source.name}: not readable JSON ({exc})") from exc
    if not (isinstance(document, dict) and str(document.get("_class")) == "pandapipesNet"):
        raise CimImportError(
            f"{source.name}: not a pandapipes network (expected _class pandapipesNet)"
        )
    body = document.get("_object")
    if not isinstance(body, dict):
        raise CimImportError(f"{source.name}: pandapipes net without content")
    tables: dict[str, Any] = {"_name": body.get("name")}
    for name, entry in body.items():
        if isinstance(entry, dict) and entry.get("_class") == "DataFrame":
            tables[name] = _split_table(entry, name, source.name)
    return tables


def _split_table(entry: dict[str, Any], name: str, file_name: str) -> Table:
    """Rows of one pandas ``orient="split"`` table."""
    try:
        raw = entry["_object"]
        table = json.loads(raw) if isinstance(raw, str) else raw
        columns, index, data = table["columns"], table["index"], table["data"]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise CimImportError(
            f"{file_name}: table '{name}' is not a pandas split table ({exc})"
        ) from exc
    if entry.get("orient", "split") != "split" or len(index) != len(data):
        raise CimImportError(f"{file_name}: table '{name}' is not a pandas split table")
    if any(len(row) != len(columns) for row in data):
        raise CimImportError(f"{file_name}: table '{name}' has rows of the wrong width")
    return [
        {"_index": i, **dict(zip(columns, row, strict=True))}
        for i, row in zip(index, data, strict=True)
    ]


def infer_epsg(points: list[tuple[float, float]], file_name: str) -> tuple[int, Problem]:
    """Guess the CRS of pandapipes geodata from coordinate ranges.

    Returns
    -------
    tuple
        EPSG code and a ``crs-inferred`` problem stating the evidence.

    Raises
    ------
    CimImportError
        When the ranges match neither lon/lat nor German Gauss-Krüger.
    """
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = f"x {min(xs):.6g}..{max(xs):.6g}, y {min(ys):.6g}..{max(ys):.6g}"
    if min(xs) >= -180 and max(xs) <= 180 and min(ys) >= -90 and max(ys) <= 90:
        return 4326, Problem("crs-inferred", f"{span} look like lon/lat: EPSG:4326 assumed")
    zones = {int(x // 1_000_000) for x in xs}
    if len(zones) == 1 and zones <= set(_GK_EPSG) and min(ys) >= 5.2e6 and max(ys) <= 6.2e6:
        zone = zones.pop()
        code = _GK_EPSG[zone]
        return code, Problem(
            "crs-inferred",
            f"{span} look like German Gauss-Krüger zone {zone}:"
            f" EPSG:{code} (DHDN) assumed; pass epsg= if not",
        )
    raise CimImportError(f"{file_name}: cannot tell the CRS of the geodata ({span}); pass epsg=")


def _junction_keys(junctions: Table) -> dict[Any, str]:
    """Junction index -> key: the junction name when names are unique, else ``junction/i``."""
    names = [row.get("name") for row in junctions]
    usable = all(isinstance(n, str) and n for n in names) and len(set(names)) == len(names)
    return {
        row["_index"]: (str(row["name"]) if usable else f"junction/{row['_index']}")
        for row in junctions
    }


def _nodes(
    junctions: Table,
    geodata: dict[Any, dict[str, Any]],
    keys: dict[Any, str],
    tables: dict[str, Any],
    problems: list[Problem],
) -> list[NodeRecord]:
    """Junction nodes; ext_grid junctions become ``source``, sinks are summed per junction."""
    sources = {row["junction"]: row for row in tables.get("ext_grid", [])}
    sinks = _sinks_by_junction(tables.get("sink", []))
    xs = [float(g["x"]) for g in geodata.values()]
    ys = [float(g["y"]) for g in geodata.values()]
    centre = (sum(xs) / len(xs), sum(ys) / len(ys))
    nodes = []
    for row in junctions:
        index, key = row["_index"], keys[row["_index"]]
        point = geodata.get(index) or {}
        if point.get("x") is None or point.get("y") is None:
            problems.append(
                Problem("node-no-coordinates", "no geodata; placed at the network centre", key)
            )
            point = {"x": centre[0], "y": centre[1]}
        nodes.append(_node(row, key, point, sources.get(index), sinks.get(index, {})))
    return nodes


def _node(
    row: dict[str, Any],
    key: str,
    point: dict[str, Any],
    source: dict[str, Any] | None,
    sinks: dict[str, float | str],
) -> NodeRecord:
    """One junction node; pressures in bar and temperatures in K as in pandapipes."""
    attributes: dict[str, float | str] = {"pandapipes_index": float(row["_index"]), **sinks}
    _copy(row, attributes, ("pn_bar", "tfluid_k"))
    attributes["in_service"] = "yes" if row.get("in_service", True) else "no"
    kind = str(row.get("type") or "junction")
    if source is not None:
        kind = "source"
        _copy(source, attributes, ("p_bar", "t_k"))
    height = row.get("height_m")
    return NodeRecord(
        key=key,
        x=float(point["x"]),
        y=float(point["y"]),
        component_type=kind,
        elevation_m=float(height) if height is not None else None,
        attributes=attributes,
    )


def _copy(row: dict[str, Any], target: dict[str, float | str], names: tuple[str, ...]) -> None:
    for name in names:
        if row.get(name) is not None:
            target[name] = float(row[name])


def _sinks_by_junction(sinks: Table) -> dict[Any, dict[str, float | str]]:
    """Per junction: number of sinks, total mass flow (kg/s) and annual demand (m³/a)."""
    totals: dict[Any, dict[str, float | str]] = {}
    for row in sinks:
        entry = totals.setdefault(row["junction"], {"sink_count": 0.0, "sink_mdot_kg_per_s": 0.0})
        entry["sink_count"] = float(entry["sink_count"]) + 1.0
        mdot = (row.get("mdot_kg_per_s") or 0.0) * (row.get("scaling") or 1.0)
        entry["sink_mdot_kg_per_s"] = float(entry["sink_mdot_kg_per_s"]) + float(mdot)
        if row.get("demand_m3_per_a") is not None:
            entry["sink_demand_m3_per_a"] = float(entry.get("sink_demand_m3_per_a", 0.0)) + float(
                row["demand_m3_per_a"]
            )
    return totals


def _links(
    pipes: Table,
    pipe_geodata: Table,
    keys: dict[Any, str],
    positions: dict[str, tuple[float, float]],
    problems: list[Problem],
) -> list[LinkRecord]:
    """Pipe links; pipes naming unknown junctions are skipped with a problem."""
    vertices = {row["_index"]: row.get("coords") for row in pipe_geodata}
    links = []
    for row in pipes:
        key = f"pipe/{row['_index']}"
        start, end = keys.get(row.get("from_junction")), keys.get(row.get("to_junction"))
        if start is None or end is None:
            problems.append(
                Problem("pipe-unconnected", "pipe refers to a missing junction; skipped", key)
            )
            continue
        inner = tuple((float(x), float(y)) for x, y in (vertices.get(row["_index"]) or []))
        coords = (positions[start], *inner, positions[end])
        links.append(_pipe(row, key, start, end, coords))
    return links


def _pipe(
    row: dict[str, Any], key: str, start: str, end: str, coords: tuple[tuple[float, float], ...]
) -> LinkRecord:
    """One pipe: length km -> m, roughness k in mm and m, material from the STANET type."""
    attributes: dict[str, float | str] = {"name": str(row.get("name") or "")}
    k_mm = row.get("k_mm")
    if k_mm is not None:
        attributes.update(k_mm=float(k_mm), roughness_m=float(k_mm) / 1000.0)
    std = row.get("stanet_std_type") or row.get("std_type")
    if std:
        attributes["std_type"] = str(std)
    attributes["in_service"] = "yes" if row.get("in_service", True) else "no"
    match = _MATERIAL.search(str(std or ""))
    diameter = row.get("diameter_m")
    return LinkRecord(
        key=key,
        start=start,
        end=end,
        component_type="pipe",
        coords=coords,
        length_m=float(row.get("length_km") or 0.0) * 1000.0,
        diameter_m=float(diameter) if diameter is not None else None,
        material=match.group(1).upper() if match else None,
        attributes=attributes,
    )
