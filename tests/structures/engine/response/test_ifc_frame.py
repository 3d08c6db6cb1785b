"""Member lists from IFC axis lines (real Revit export)."""

from __future__ import annotations

from collections import Counter

from structures.engine.response import frame_from_ifc
from tests.external import EXTERNAL, needs_external


@needs_external
def test_revit_example_gives_42_columns_and_43_beams() -> None:
    frame = frame_from_ifc(
        EXTERNAL / "ifc" / "webifc_example_revit2021_ifc2x3.ifc",
        area_m2=0.1,
        modulus_pa=3.0e10,
        inertia_m4=1.0e-3,
    )
    assert Counter(m.kind for m in frame.members) == {"column": 42, "beam": 43}
    tags = {n.tag for n in frame.nodes}
    assert all(m.i in tags and m.j in tags and m.i != m.j for m in frame.members)
    assert any(n.fixed for n in frame.nodes)
