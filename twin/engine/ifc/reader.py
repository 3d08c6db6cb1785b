"""``read_ifc``: check an IFC-SPF file, open it, and collect buildings and networks.

Whole-file rejections (``CimImportError``) happen before or while opening:
missing/empty file, IFC-ZIP or ifcXML, a first line other than
``ISO-10303-21;``, no ``FILE_SCHEMA``, a schema other than IFC2X3 / IFC4 /
IFC4X3, a file that does not end with ``END-ISO-10303-21;`` (truncated),
a file ifcopenshell cannot parse, and a file without ``IfcProject``.
Everything else becomes a :class:`~twin.engine.records.Problem`.
"""

from __future__ import annotations

import re
from pathlib import Path

import ifcopenshell

from twin.engine.ifc.building import read_buildings
from twin.engine.ifc.context import ReadContext, file_counts
from twin.engine.ifc.geometry import GEOMETRY_CLASSES, elements_of, tessellate
from twin.engine.ifc.georef import resolve_georeference
from twin.engine.ifc.mep import read_networks
from twin.engine.ifc.units import length_unit_m, unit_scale
from twin.engine.records import CimImportError, Georeference, IfcSummary, Problem

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
HEAD_BYTES = 65536
TAIL_BYTES = 4096


def _read_head_tail(path: Path) -> tuple[bytes, bytes]:
    """Return the first and last bytes of a file; raise CimImportError if it is missing or empty."""
    if not path.is_file():
        raise CimImportError(f"IFC file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise CimImportError(f"empty file: {path.name} has 0 bytes")
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    return head, tail


def _check_start(path: Path, head: bytes) -> str:
    """Reject ZIP, XML and non-STEP starts; return the head decoded as text."""
    if head.startswith(b"PK\x03\x04"):
        raise CimImportError(
            f"{path.name} is a ZIP archive (IFC-ZIP?); unzip it and import the .ifc"
        )
    text = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if text.startswith("<"):
        raise CimImportError(f"{path.name} is XML (ifcXML?); export it as IFC-SPF (.ifc) instead")
    first = text.splitlines()[0].strip() if text else ""
    if first.replace(" ", "") != "ISO-10303-21;":
        raise CimImportError(
            f"not an IFC file: first line is not ISO-10303-21 ({path.name} starts "
            f"with {first[:30]!r})"
        )
    return text


def check_header(path: Path) -> str:
    """Validate the STEP header and tail of ``path``; return its FILE_SCHEMA identifier."""
    head, tail = _read_head_tail(path)
    text = _check_start(path, head)
    match = re.search(r"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", text, flags=re.IGNORECASE)
    if match is None:
        raise CimImportError(f"not an IFC file: {path.name} has no FILE_SCHEMA in its header")
    schema = match.group(1).strip().upper()
    if not any(schema == s or schema.startswith(s + "_") for s in SUPPORTED_SCHEMAS):
        raise CimImportError(
            f"unsupported IFC schema '{schema}' in {path.name}; supported: IFC2X3, IFC4, IFC4X3"
        )
    if not tail.rstrip().endswith(b"END-ISO-10303-21;"):
        raise CimImportError(
            f"truncated IFC file: {path.name} does not end with END-ISO-10303-21; "
            "(incomplete download or export?)"
        )
    return schema


def open_model(path: Path) -> ifcopenshell.file:
    """Open a header-checked file ; raise CimImportError if unparseable."""
    try:
        model = ifcopenshell.open(str(path))
    except (ifcopenshell.Error, RuntimeError, OSError, ValueError, SyntaxError) as exc:
        raise CimImportError(
            f"unparseable IFC file {path.name}: {str(exc).splitlines()[0][:200]}"
        ) from exc
    if not model.by_type("IfcProject"):
        raise CimImportError(
            f"IFC file {path.name} has no IfcProject; it is not a complete IFC model"
        )
    return model


def _shapes(ctx: ReadContext) -> None:
    """Tessellate the structural elements ; a kernel failure is a Problem."""
    try:
        ctx.shapes = tessellate(ctx.model, elements_of(ctx.model, GEOMETRY_CLASSES), ctx.length_m)
    except RuntimeError as exc:
        ctx.problems.append(
            Problem(
                "geometry-failed",
                f"geometry kernel failed ({exc}); footprints fall back to element placements",
            )
        )


def read_ifc(path: str | Path, *, placement: Georeference | None = None) -> IfcSummary:
    """Read an IFC2X3 / IFC4 / IFC4X3 file into an :class:`IfcSummary` (SI units).

    Parameters
    ----------
    path : str or Path
        The ``.ifc`` (STEP physical file).
    placement : Georeference, optional
        Fallback placement (latitude/longitude, true north; degrees) when the file has none.

    Returns
    -------
    IfcSummary
        Buildings, pipe networks, element counts and problems. Raises CimImportError
        when the file as a whole cannot be imported (the message says why).
    """
    path = Path(path)
    schema = check_header(path)
    model = open_model(path)
    length = length_unit_m(model)
    frame = resolve_georeference(model, length, placement)
    area, volume = unit_scale(model, "AREAUNIT"), unit_scale(model, "VOLUMEUNIT")
    ctx = ReadContext(model, length, area, volume, frame)
    ctx.problems.extend(ctx.frame.problems)
    _shapes(ctx)
    buildings = read_buildings(ctx, path.name)
    networks = read_networks(ctx, path.name)
    return IfcSummary(
        schema=schema,
        file_name=path.name,
        length_unit_m=length,
        georeference=ctx.frame.georeference,
        buildings=tuple(buildings),
        networks=tuple(networks),
        element_counts=file_counts(model),
        problems=tuple(ctx.problems),
    )
