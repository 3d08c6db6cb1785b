"""Exceptions raised by the hazard engine; each message names what a planner should change."""

from __future__ import annotations


class HazardInputError(ValueError):
    """A scenario input (source, sites, IMT, model range) the hazard engine cannot use."""


class RecordFormatError(ValueError):
    """A ground-motion record file that cannot be read; the message names the line."""
