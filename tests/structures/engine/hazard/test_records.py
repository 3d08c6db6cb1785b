"""Record readers: every external file (VERIFICATION.md §8), header variants, corrupted input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from structures.engine.hazard.errors import RecordFormatError
from structures.engine.hazard.records import (
    G_M_S2,
    parse_at2,
    parse_record,
    parse_single_column,
    parse_time_acceleration,
    read_record,
)
from tests.external import EXTERNAL, needs_external

MOTIONS = EXTERNAL / "ground_motions"
#: PGA tolerance (g): §8 quotes 4 significant digits.
PGA_ATOL_G = 5e-5
#: Tabas files have no header; dt comes from OpenSees Example5.1.py (SOURCES.md).
TABAS_DT_S = 0.02

# (file, npts, dt s, PGA g): VERIFICATION.md §8 plus SOURCES.md for the files §8 omits.
EXPECTED = [
    ("elCentro_1940_NS_Peknold_OpenSees.at2", 1559, 0.02, 0.31882),
    ("RSN6_IMPVALL.I_I-ELC180.AT2", 5372, 0.01, 0.2808),
    ("ARL360_Northridge_Arleta.at2", 2000, 0.02, 0.3081),
    ("Northridge_CDMG24278_090_OpenSees.dat", 3989, 0.01, 0.5683),
    ("RSN77_SFERN_PUL164.AT2", 4172, 0.01, 1.2190),
    ("Kobe1995_SHI000_ShinOsaka_FEMAP695-120721_t-acc_g.txt", 4097, 0.01, 0.2432),
    ("Kobe1995_SHI090_ShinOsaka_FEMAP695-120722_t-acc_g.txt", 4097, 0.01, 0.2119),
    ("ALH360_Northridge_Alhambra.AT2", 3000, 0.02, 0.0798),
    ("RSN754_LOMAP_CLD195.AT2", 7998, 0.005, 0.1604),
    ("TCU101-N_ChiChi.AT2", 9800, 0.005, 0.2506),
    ("RIO270_CapeMendocino.AT2", 1800, 0.02, 0.3854),
    ("tabasFN.txt", 2500, TABAS_DT_S, 0.8999),
    ("tabasFP.txt", 2500, TABAS_DT_S, 0.9772),
]


@needs_external
def test_every_external_file_is_covered() -> None:
    files = {p.name for p in MOTIONS.iterdir() if p.name != "SOURCES.md"}
    assert files == {name for name, *_ in EXPECTED}


@needs_external
@pytest.mark.parametrize(("name", "npts", "dt", "pga"), EXPECTED)
def test_external_record_npts_dt_pga(name: str, npts: int, dt: float, pga: float) -> None:
    record = read_record(MOTIONS / name, dt_s=TABAS_DT_S if name.startswith("tabas") else None)
    assert record.npts == npts
    assert record.dt_s == pytest.approx(dt, rel=1e-9)
    assert record.pga_g == pytest.approx(pga, abs=PGA_ATOL_G)
    assert record.acceleration_m_s2.flags.writeable is False


@needs_external
def test_tabas_without_dt_is_refused() -> None:
    with pytest.raises(RecordFormatError, match="give dt_s"):
        read_record(MOTIONS / "tabasFN.txt")


OLD = "PEER\nEVENT\nACCELERATION IN G\nNPTS= 6, DT= .0200 SEC\n .1 .2 .3 .4 .5\n -.6\n"
NEW = "PEER NGA\nEVENT\nUNITS OF G\nNPTS=   6, DT=   .0100 SEC,     \n .1 .2 .3 .4 .5\n -.6    \n"
TRAILER = "PEER 2005\nEVENT\nG\n   6   0.0050   NPTS, DT\n .1 .2 .3 .4 .5\n -.6\n"


@pytest.mark.parametrize(("text", "dt"), [(OLD, 0.02), (NEW, 0.01), (TRAILER, 0.005)])
def test_at2_header_variants(text: str, dt: float) -> None:
    record = parse_at2(text)
    assert (record.npts, record.dt_s) == (6, dt)
    assert record.pga_g == pytest.approx(0.6)
    assert record.acceleration_m_s2[0] == pytest.approx(0.1 * G_M_S2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: file is empty"),
        ("HEADER\nno numbers here\n", "no 'NPTS"),
        (OLD.replace(" .3", " nan"), "line 5: 'nan'"),
        (OLD.replace("-.6", "-.6 .7"), "NPTS=6 but 7"),
        (OLD.replace("DT= .0200", "DT= 0.0"), "line 4: DT must be positive"),
        (OLD + "garbage\n", "line 7: 'garbage'"),
    ],
)
def test_at2_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RecordFormatError, match=message):
        parse_at2(text, "f.at2")


def test_two_column_and_single_column() -> None:
    rec = parse_time_acceleration("Time Accel\n0.00 0.1\n0.01 -0.2\n0.02 0.05\n")
    assert (rec.npts, rec.dt_s, rec.pga_g) == (3, pytest.approx(0.01), pytest.approx(0.2))
    with pytest.raises(RecordFormatError, match="line 3: time steps"):
        parse_time_acceleration("t a\n0 0.1\n0.01 0.2\n0.05 0.3\n")
    with pytest.raises(RecordFormatError, match="line 3: expected 2 columns"):
        parse_time_acceleration("0 0.1\n0.01 0.2\n0.02 0.3 9\n")
    assert parse_single_column("0.1\n-0.3\n", 0.01).pga_g == pytest.approx(0.3)
    with pytest.raises(RecordFormatError, match="line 2: 'x'"):
        parse_single_column("0.1\nx\n", 0.01)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([OLD, NEW, TRAILER, "0 0.1\n0.01 0.2\n0.02 0.3\n", "0.1\n0.2\n0.3\n"]),
    st.integers(0, 200),
    st.text(max_size=12),
    st.sampled_from([None, 0.01]),
)
def test_corrupted_input_raises_only_record_format_error(
    base: str, at: int, junk: str, dt: float | None
) -> None:
    position = min(at, len(base))
    text = base[:position] + junk + base[position:]
    try:
        record = parse_record(text, "fuzz", dt)
    except RecordFormatError as exc:
        assert "line" in str(exc)
    else:
        assert np.all(np.isfinite(record.acceleration_m_s2)) and record.dt_s > 0
