"""Scenario-earthquake hazard engine: sources, distances, GMPEs, fields, records, intensity.

Pure Python (numpy, scipy, pyproj); never imports Django. Units: km for distances, m/s for
Vs30, g for PGA/SA, cm/s for PGV from GMPEs; records in m/s² inside. See docs/hazard/.
"""

from __future__ import annotations

from structures.engine.hazard.bssa14 import BooreEtAl2014
from structures.engine.hazard.distances import Distances, Sites, compute_distances
from structures.engine.hazard.errors import HazardInputError, RecordFormatError
from structures.engine.hazard.fields import GroundMotionFields, simulate_fields
from structures.engine.hazard.gmpe_base import (
    GmpeContext,
    GroundMotion,
    GroundMotionModel,
    build_context,
)
from structures.engine.hazard.imts import IMT, PGA, PGV, SA, parse_imt
from structures.engine.hazard.intensity import (
    intensity_degree,
    intensity_from_pga_pgv,
    pga_for_intensity,
    pgv_for_intensity,
    roman,
)
from structures.engine.hazard.records import (
    GroundMotionRecord,
    parse_record,
    read_record,
)
from structures.engine.hazard.selection import Selection, select_records
from structures.engine.hazard.sources import FiniteRupture, PointSource, wells_coppersmith_1994
from structures.engine.hazard.spectra import (
    IntegratedMotion,
    ResponseSpectrum,
    integrate,
    response_spectrum,
    scale_to_pga,
    scale_to_sa,
)
from structures.engine.hazard.yu2013 import YuEtAl2013
from structures.engine.hazard.zhao2006 import ZhaoEtAl2006Asc

__all__ = [
    "IMT",
    "PGA",
    "PGV",
    "SA",
    "BooreEtAl2014",
    "Distances",
    "FiniteRupture",
    "GmpeContext",
    "GroundMotion",
    "GroundMotionFields",
    "GroundMotionModel",
    "GroundMotionRecord",
    "HazardInputError",
    "IntegratedMotion",
    "PointSource",
    "RecordFormatError",
    "ResponseSpectrum",
    "Selection",
    "Sites",
    "YuEtAl2013",
    "ZhaoEtAl2006Asc",
    "build_context",
    "compute_distances",
    "integrate",
    "intensity_degree",
    "intensity_from_pga_pgv",
    "parse_imt",
    "parse_record",
    "pga_for_intensity",
    "pgv_for_intensity",
    "read_record",
    "response_spectrum",
    "roman",
    "scale_to_pga",
    "scale_to_sa",
    "select_records",
    "simulate_fields",
    "wells_coppersmith_1994",
]
