"""Location of the externally authored test data and the skip marker for it."""

from __future__ import annotations

from pathlib import Path

import pytest

EXTERNAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "external"


def needs_external(func):  # type: ignore[no-untyped-def]
    """Mark a test as needing ``../shared/data/external``; skip it when that is absent."""
    skip = pytest.mark.skipif(
        not EXTERNAL.is_dir(),
        reason="../shared/data/external is absent (fresh clone elsewhere)",
    )
    return pytest.mark.external_data(skip(func))
