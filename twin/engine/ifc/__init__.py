"""IFC reader, sandboxed parser and demo-building writer (pure engine, no Django).

Public API
----------
read_ifc(path, *, placement=None) -> IfcSummary
    Read an IFC2X3/IFC4/IFC4X3 file in this process.
parse_ifc_isolated(path, *, placement=None, timeout_s=300.0, memory_bytes=4 GiB, max_bytes=1 GiB)
    Same, in a resource-limited child process (use this for uploaded files).
write_demo_building_ifc(path, *, name, latitude_deg, longitude_deg, ...)
    Write the project's georeferenced demo frame building (IFC4).

See docs/ifc-import.md for the models behind the numbers.
"""

from twin.engine.ifc.reader import read_ifc
from twin.engine.ifc.sandbox import parse_ifc_isolated
from twin.engine.ifc.writer import write_demo_building_ifc

__all__ = ["parse_ifc_isolated", "read_ifc", "write_demo_building_ifc"]
