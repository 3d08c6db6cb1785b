"""Project units of an IFC file, expressed as factors to SI.

An IFC file declares its units once, in the ``IfcUnitAssignment`` of its
``IfcProject``. Lengths are commonly millimetres (ArchiCAD, TRICAD, Revit
metric templates), metres, or a conversion-based unit such as the foot
(0.3048 m). Every length, area and volume read from the file is multiplied
by the factor returned here, so the rest of the engine works in metres,
square metres and cubic metres only.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.unit

from twin.engine.records import CimImportError


def unit_scale(model: ifcopenshell.file, unit_type: str) -> float:
    """Return the SI factor of one project unit.

    Parameters
    ----------
    model : ifcopenshell.file
        The opened IFC model.
    unit_type : str
        ``"LENGTHUNIT"``, ``"AREAUNIT"`` or ``"VOLUMEUNIT"``.

    Returns
    -------
    float
        Metres (m, m2, m3) per file unit; 1.0 when the file declares no such unit.
    """
    try:
        scale = float(ifcopenshell.util.unit.calculate_unit_scale(model, unit_type))
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        raise CimImportError(f"IFC unit assignment for {unit_type} is unreadable: {exc}") from exc
    if not scale > 0.0:
        raise CimImportError(
            f"IFC unit assignment for {unit_type} gives a non-positive scale {scale}"
        )
    return scale


def length_unit_m(model: ifcopenshell.file) -> float:
    """Return metres per file length unit (0.001 for millimetre files, 0.3048 for feet)."""
    return unit_scale(model, "LENGTHUNIT")


def dms_to_degrees(value: tuple[int, ...] | list[int] | None) -> float | None:
    """Convert an IFC compound plane angle to decimal degrees.

    Parameters
    ----------
    value : sequence of int or None
        ``(degrees, minutes, seconds[, millionths of a second])``; all parts carry
        the same sign for negative angles (IFC rule), but a sign on the first part
        only is also accepted.

    Returns
    -------
    float or None
        Decimal degrees, or None when the value is absent or empty.
    """
    if not value:
        return None
    parts = [int(v) for v in value] + [0] * (4 - len(value))
    negative = any(p < 0 for p in parts[:4])
    magnitude = (
        abs(parts[0]) + abs(parts[1]) / 60.0 + (abs(parts[2]) + abs(parts[3]) * 1e-6) / 3600.0
    )
    return -magnitude if negative else magnitude


def degrees_to_dms(angle_deg: float) -> tuple[int, int, int, int]:
    """Convert decimal degrees to an IFC compound plane angle (all parts share the sign).

    Parameters
    ----------
    angle_deg : float
        Angle in decimal degrees.

    Returns
    -------
    tuple of int
        ``(degrees, minutes, seconds, millionths of a second)``.
    """
    sign = -1 if angle_deg < 0 else 1
    total_micro = round(abs(angle_deg) * 3600.0 * 1e6)
    degrees, rest = divmod(total_micro, 3600 * 10**6)
    minutes, rest = divmod(rest, 60 * 10**6)
    seconds, micro = divmod(rest, 10**6)
    return (sign * degrees, sign * minutes, sign * seconds, sign * micro)
