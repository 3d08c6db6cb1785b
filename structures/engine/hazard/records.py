"""Readers for recorded ground-motion time histories.

Formats: PEER NGA ``.AT2`` (old ``NPTS= 1559, DT= .0200 SEC`` and new
``NPTS=  5372, DT=   .0100 SEC,`` headers, and ``1559  0.0200  NPTS, DT`` lines), two-column
time/acceleration text (OpenSees ``.dat`` with a text header, FEMA P695 conversions) and
header-less single-column files whose time step must be given (OpenSees Tabas files).
Files hold acceleration in g; records store it in m/s² (× 9.80665).
Every malformed input raises :class:`RecordFormatError` naming the line (1-based).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import RecordFormatError

G_M_S2 = 9.80665
#: Header lines searched for an NPTS/DT line.
HEADER_SEARCH_LINES = 40
#: Allowed relative scatter of time steps in two-column files (times are often rounded).
DT_UNIFORM_RTOL = 0.01
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?")
_NPTS = re.compile(r"NPTS\s*[=:]\s*(\d+)", re.I)
_DT = re.compile(r"DT\s*[=:]\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[Ee][-+]?\d+)?)", re.I)
_NPTS_DT_TRAILER = re.compile(r"^\s*(\d+)\s+(\S+)\s+NPTS\s*,?\s*DT", re.I)
_FOOTER = re.compile(r"^\s*\*+.*end", re.I)


@dataclass(frozen=True, slots=True)
class GroundMotionRecord:
    """An equally sampled acceleration time history.

    Attributes
    ----------
    name : str
    dt_s : float
        Time step, s.
    acceleration_m_s2 : NDArray[np.float64]
        Ground acceleration, m/s² (read-only array).
    """

    name: str
    dt_s: float
    acceleration_m_s2: NDArray[np.float64]

    @property
    def npts(self) -> int:
        """Number of samples."""
        return int(self.acceleration_m_s2.shape[0])

    @property
    def pga_g(self) -> float:
        """Peak absolute acceleration, g."""
        return float(np.max(np.abs(self.acceleration_m_s2))) / G_M_S2

    @property
    def duration_s(self) -> float:
        """(npts − 1)·dt, s."""
        return (self.npts - 1) * self.dt_s


def make_record(name: str, dt_s: float, acc_g: NDArray[np.float64]) -> GroundMotionRecord:
    """Build a record from acceleration in g (stored in m/s², read-only)."""
    if not (math.isfinite(dt_s) and dt_s > 0.0):
        raise RecordFormatError(f"{name}: time step must be a positive number of s, got {dt_s}")
    acc = np.asarray(acc_g, dtype=np.float64) * G_M_S2
    if acc.size < 2:
        raise RecordFormatError(f"{name}: a record needs at least 2 samples")
    acc.setflags(write=False)
    return GroundMotionRecord(name, float(dt_s), acc)


def _numbers(line: str, lineno: int, name: str) -> list[float]:
    """All numbers on a line; any other token is an error naming the line."""
    values = []
    for token in line.replace(",", " ").split():
        if not _NUMBER.fullmatch(token):
            raise RecordFormatError(f"{name} line {lineno}: {token[:20]!r} is not a number")
        value = float(token.replace("D", "E").replace("d", "e"))
        if not math.isfinite(value):
            raise RecordFormatError(f"{name} line {lineno}: value {token!r} is not finite")
        values.append(value)
    return values


def _header(lines: list[str], name: str) -> tuple[int, float, int] | None:
    """(npts, dt, index of the header line) from an NPTS/DT line, or None if absent."""
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        npts, dt = _NPTS.search(line), _DT.search(line)
        if npts and dt:
            return int(npts.group(1)), _positive_dt(dt.group(1), index + 1, name), index
        trailer = _NPTS_DT_TRAILER.match(line)
        if trailer:
            return int(trailer.group(1)), _positive_dt(trailer.group(2), index + 1, name), index
    return None


def _positive_dt(text: str, lineno: int, name: str) -> float:
    try:
        dt = float(text)
    except ValueError:
        raise RecordFormatError(f"{name} line {lineno}: DT {text!r} is not a number") from None
    if not (math.isfinite(dt) and dt > 0.0):
        raise RecordFormatError(f"{name} line {lineno}: DT must be positive, got {text!r}")
    return dt


def parse_at2(text: str, name: str = "record") -> GroundMotionRecord:
    """Parse PEER ``.AT2`` text (acceleration in g); the NPTS count is checked."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise RecordFormatError(f"{name} line 1: file is empty")
    header = _header(lines, name)
    if header is None:
        raise RecordFormatError(
            f"{name} line 1: no 'NPTS=…, DT=…' line in the first {HEADER_SEARCH_LINES} lines"
        )
    npts, dt, index = header
    values: list[float] = []
    for lineno, line in enumerate(lines[index + 1 :], start=index + 2):
        if _FOOTER.match(line):
            break
        values.extend(_numbers(line, lineno, name))
    if len(values) != npts:
        raise RecordFormatError(
            f"{name} line {index + 1}: header says NPTS={npts} but {len(values)} values follow"
        )
    return make_record(name, dt, np.array(values))


def _data_rows(lines: list[str], name: str) -> list[tuple[int, list[float]]]:
    """Numeric rows after an optional leading text header; blank lines skipped."""
    rows: list[tuple[int, list[float]]] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append((lineno, _numbers(line, lineno, name)))
        except RecordFormatError:
            if rows:
                raise
    if not rows:
        raise RecordFormatError(f"{name} line {len(lines) or 1}: no numeric data found")
    return rows


def parse_time_acceleration(text: str, name: str = "record") -> GroundMotionRecord:
    """Parse two-column ``time acceleration[g]`` text with an optional text header."""
    rows = _data_rows(text.splitlines(), name)
    for lineno, row in rows:
        if len(row) != 2:
            raise RecordFormatError(f"{name} line {lineno}: expected 2 columns, found {len(row)}")
    t = np.array([r[0] for _, r in rows])
    acc = np.array([r[1] for _, r in rows])
    if t.size < 2:
        raise RecordFormatError(f"{name} line {rows[0][0]}: a record needs at least 2 rows")
    dt = (t[-1] - t[0]) / (t.size - 1)
    steps = np.diff(t)
    bad = np.flatnonzero(np.abs(steps - dt) > DT_UNIFORM_RTOL * abs(dt))
    if dt <= 0.0 or bad.size:
        lineno = rows[int(bad[0]) + 1][0] if bad.size else rows[0][0]
        raise RecordFormatError(f"{name} line {lineno}: time steps are not uniform and positive")
    return make_record(name, float(dt), acc)


def parse_single_column(text: str, dt_s: float | None, name: str = "record") -> GroundMotionRecord:
    """Parse header-less acceleration values (g), any count per line; ``dt_s`` is required."""
    if dt_s is None:
        raise RecordFormatError(f"{name} line 1: the file has no header; give dt_s (s)")
    lines = text.splitlines()
    values: list[float] = []
    for lineno, line in enumerate(lines, start=1):
        values.extend(_numbers(line, lineno, name))
    if not values:
        raise RecordFormatError(f"{name} line 1: file is empty")
    return make_record(name, dt_s, np.array(values))


def parse_record(text: str, name: str = "record", dt_s: float | None = None) -> GroundMotionRecord:
    """Detect the format (AT2 header, two columns, single column) and parse."""
    lines = text.splitlines()
    if _header(lines, name) is not None:
        return parse_at2(text, name)
    rows = _data_rows(lines, name)
    if all(len(r) == 2 for _, r in rows):
        return parse_time_acceleration(text, name)
    if rows[0][0] != 1 or any(len(r) == 0 for _, r in rows):
        raise RecordFormatError(f"{name} line 1: text header without NPTS/DT; give a known format")
    return parse_single_column(text, dt_s, name)


def read_record(path: str | Path, dt_s: float | None = None) -> GroundMotionRecord:
    """Read a record file of any supported format (see :func:`parse_record`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="latin-1")
    except OSError as exc:
        raise RecordFormatError(f"{p.name} line 0: cannot read file ({exc.strerror})") from None
    return parse_record(text, p.name, dt_s)
