"""Generated markdown tables kept in docs between HTML comment markers (towns, scores, NLTHA)."""

from __future__ import annotations

import re
from pathlib import Path


def replace_between_markers(path: Path, start: str, end: str, text: str) -> None:
    """Put ``text`` between the ``start`` and ``end`` markers of ``path``.

    The rest of the file is kept; a file without the markers gets them appended (a missing
    file is created with them).
    """
    body = path.read_text(encoding="utf-8") if path.exists() else f"{start}\n{end}\n"
    if start not in body or end not in body:
        body += f"\n{start}\n{end}\n"
    block = f"{start}\n{text}{end}"
    pattern = re.escape(start) + ".*?" + re.escape(end)
    path.write_text(re.sub(pattern, lambda _: block, body, count=1, flags=re.S), encoding="utf-8")
