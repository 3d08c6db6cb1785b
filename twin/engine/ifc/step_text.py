"""IFC4 written directly as ISO 10303-21 (STEP) text: numbered entity lines, no ifcopenshell model.

The primitives :mod:`twin.engine.ifc.town_writer` builds its many-building files from, kept
apart from the building layout. Writing text instead of going through ``ifcopenshell.api`` is
what makes a file of hundreds of buildings fast; it also makes every byte a function of the
inputs: GlobalIds are hashes of caller keys (:func:`global_id`), reals use Python's shortest
round-trip form, and the header time stamp is fixed.

Encoding (ISO 10303-21 §6): a real always has a decimal point (``1.``, ``1.0E-07`` in
exponent form); a string is quoted with ``''`` for a quote and ``\\\\`` for a backslash,
characters outside printable ASCII become ``\\X2\\hhhh\\X0\\`` (outside the Basic
Multilingual Plane: ``?``); ``$`` is an unset attribute and ``*`` a derived one. Lengths are
metres and plane angles radians (:func:`project_and_site` assigns those units).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import ifcopenshell.guid

from twin.engine.ifc.units import degrees_to_dms

PropertyValue = str | float | int | bool


def global_id(key: str) -> str:
    """A stable IFC GlobalId (22 characters) derived from ``key``."""
    return str(
        ifcopenshell.guid.compress(hashlib.blake2b(key.encode(), digest_size=16).hexdigest())
    )


def real(value: float) -> str:
    """``value`` as a STEP REAL (always with a decimal point; exponent form when Python uses it)."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return f"{float(value):.10E}"
    return text if "." in text else text + "."


def string(value: str) -> str:
    """``value`` as a quoted STEP STRING (quotes and backslashes doubled, non-ASCII as ``\\X2\\``)."""
    out = []
    for ch in value:
        if ch == "'":
            out.append("''")
        elif ch == "\\":
            out.append("\\\\")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append(f"\\X2\\{ord(ch):04X}\\X0\\" if ord(ch) < 0x10000 else "?")
    return "'" + "".join(out) + "'"


def refs(ids: Iterable[int]) -> str:
    """A STEP list of entity references, ``(#1,#2)``."""
    return "(" + ",".join(f"#{i}" for i in ids) + ")"


def typed_value(value: PropertyValue) -> str:
    """``value`` as an IFC measure: bool → IFCBOOLEAN, int → IFCINTEGER, float → IFCREAL, else IFCLABEL."""
    if isinstance(value, bool):
        return f"IFCBOOLEAN(.{'T' if value else 'F'}.)"
    if isinstance(value, int):
        return f"IFCINTEGER({value})"
    if isinstance(value, float):
        return f"IFCREAL({real(value)})"
    return f"IFCLABEL({string(str(value))})"


def header(file_name: str, originating_system: str) -> str:
    """The ISO 10303-21 header up to ``DATA;`` (IFC4, fixed time stamp)."""
    return (
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [DesignTransferView]'),'2;1');\n"
        f"FILE_NAME({string(file_name)},'2000-01-01T00:00:00',('twin'),('twin'),"
        f"{string(originating_system)},'twin','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
    )


class StepLines:
    """Accumulates numbered STEP entity lines (``#n=ENTITY(args);``), ``n`` from 1.

    ``z_dir``/``x_dir`` (the shared +z and +x directions) and ``site`` are set by
    :func:`project_and_site`; ``materials`` holds one ``IFCMATERIAL`` id per name.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.materials: dict[str, int] = {}
        self.z_dir = self.x_dir = self.site = 0

    def add(self, entity: str, args: str) -> int:
        """Append one entity with its argument text; return its id."""
        self.lines.append(f"#{len(self.lines) + 1}={entity}({args});")
        return len(self.lines)

    def point(self, x: float, y: float, z: float | None = None) -> int:
        """An ``IFCCARTESIANPOINT`` (2D without ``z``; m)."""
        coords = (x, y) if z is None else (x, y, z)
        return self.add("IFCCARTESIANPOINT", "(" + ",".join(real(c) for c in coords) + ")")

    def placement(
        self, parent: int | None, xyz: tuple[float, float, float], ref: int | None
    ) -> int:
        """An ``IFCLOCALPLACEMENT`` at ``xyz`` (m) relative to ``parent``, local x along ``ref``."""
        axis = self.add(
            "IFCAXIS2PLACEMENT3D",
            f"#{self.point(*xyz)},{'#' + str(self.z_dir) if ref else '$'},"
            f"{'#' + str(ref) if ref else '$'}",
        )
        return self.add("IFCLOCALPLACEMENT", f"{'#' + str(parent) if parent else '$'},#{axis}")

    def material(self, name: str, category: str) -> int:
        """The ``IFCMATERIAL`` called ``name`` (written once per file)."""
        if name not in self.materials:
            self.materials[name] = self.add("IFCMATERIAL", f"{string(name)},$,{string(category)}")
        return self.materials[name]

    def property_set(
        self, gid: str, name: str, values: dict[str, PropertyValue], target: int
    ) -> None:
        """An ``IFCPROPERTYSET`` ``name`` of single values, related to entity ``target``.

        The set's GlobalIds derive from ``gid`` and ``name``.
        """
        props = [
            self.add("IFCPROPERTYSINGLEVALUE", f"{string(k)},$,{typed_value(v)},$")
            for k, v in values.items()
            if v is not None
        ]
        pset = self.add(
            "IFCPROPERTYSET",
            f"{string(global_id(gid + ':' + name))},$,{string(name)},$,{refs(props)}",
        )
        self.add(
            "IFCRELDEFINESBYPROPERTIES",
            f"{string(global_id(gid + ':rel:' + name))},$,$,$,(#{target}),#{pset}",
        )

    def write(self, path: Path, originating_system: str) -> None:
        """Write header, the entity lines and the trailer to ``path`` (ASCII)."""
        text = header(path.name, originating_system) + "\n".join(self.lines)
        path.write_text(text + "\nENDSEC;\nEND-ISO-10303-21;\n", encoding="ascii")


def project_and_site(
    s: StepLines, name: str, latitude_deg: float, longitude_deg: float
) -> tuple[int, int]:
    """Units, contexts, project and site; returns (body context id, site placement id).

    Units are metre, square metre, cubic metre and radian. The site's ``RefLatitude`` /
    ``RefLongitude`` are ``latitude_deg``/``longitude_deg`` (WGS 84) and true north is local +y.
    """
    units = [
        s.add("IFCSIUNIT", f"*,.{kind}.,$,.{unit}.")
        for kind, unit in (
            ("LENGTHUNIT", "METRE"),
            ("AREAUNIT", "SQUARE_METRE"),
            ("VOLUMEUNIT", "CUBIC_METRE"),
            ("PLANEANGLEUNIT", "RADIAN"),
        )
    ]
    assignment = s.add("IFCUNITASSIGNMENT", refs(units))
    s.z_dir = s.add("IFCDIRECTION", "(0.,0.,1.)")
    s.x_dir = s.add("IFCDIRECTION", "(1.,0.,0.)")
    world = s.add("IFCAXIS2PLACEMENT3D", f"#{s.point(0.0, 0.0, 0.0)},$,$")
    north = s.add("IFCDIRECTION", "(0.,1.)")
    model = s.add("IFCGEOMETRICREPRESENTATIONCONTEXT", f"$,'Model',3,1.E-05,#{world},#{north}")
    body = s.add(
        "IFCGEOMETRICREPRESENTATIONSUBCONTEXT", f"'Body','Model',*,*,*,*,#{model},$,.MODEL_VIEW.,$"
    )
    project = s.add(
        "IFCPROJECT",
        f"{string(global_id(name + ':project'))},$,{string(name)},$,$,$,$,(#{model}),#{assignment}",
    )
    site_placement = s.placement(None, (0.0, 0.0, 0.0), None)
    lat = "(" + ",".join(str(v) for v in degrees_to_dms(latitude_deg)) + ")"
    lon = "(" + ",".join(str(v) for v in degrees_to_dms(longitude_deg)) + ")"
    site = s.add(
        "IFCSITE",
        f"{string(global_id(name + ':site'))},$,{string(name)},$,$,#{site_placement},$,$,"
        f".ELEMENT.,{lat},{lon},0.,$,$",
    )
    s.add("IFCRELAGGREGATES", f"{string(global_id(name + ':rel-site'))},$,$,$,#{project},(#{site})")
    s.site = site
    return body, site_placement
