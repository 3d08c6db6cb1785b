"""The per-link lifeline layer of a run: damage state and day-0 service of every link.

Built from ``lifelines.npz`` (docs/scenarios/run-chain.md). Damage has three levels per
realisation, named by what the link is:

=========  ========  ===============  =====================================================
level      pipe      road             component (pump, bridge)
=========  ========  ===============  =====================================================
0          intact    open             intact (Hazus DS 0)
1          leak      slowed (debris)  damaged, in service
2          break     blocked          out of service (a bridge also when debris blocks it)
=========  ========  ===============  =====================================================

A link's ``damage_state`` is the median level over the realisations that assess it (the
highest level reached in at least half of them); ``damage_shares`` gives the share of
realisations at each level. Pipes and pumps use all R realisations; roads the first L. Links
without a damage model (power lines, valves) have ``null`` damage. ``served_share`` is the
share of the L lifeline realisations in which the link carries service on day 0
(``scenarios/steps/lifeline_links.py`` says when it does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

KINDS = ("water", "gas", "power", "road")
LABELS = {
    "pipe": ("intact", "leak", "break"),
    "road": ("open", "slowed", "blocked"),
    "component": ("intact", "damaged", "out of service"),
}
NOT_ASSESSED = -1


class OutdatedRun(ValueError):
    """The run's results predate per-link arrays; rerunning its scenario writes them."""


def link_layer(arrays: dict[str, NDArray[Any]]) -> dict[str, Any]:
    """The layer as JSON: ``{"layer", "networks": {kind: counts}, "links": {id: results}}``.

    Raises
    ------
    OutdatedRun
        ``arrays`` hold results of a network but not its per-link arrays.
    """
    networks: dict[str, Any] = {}
    links: dict[int, dict[str, Any]] = {}
    for kind in KINDS:
        if f"{kind}_link_id" not in arrays:
            if f"{kind}_pipe_key" in arrays or f"{kind}_link_key" in arrays:
                raise OutdatedRun(
                    "this run was computed before per-link lifeline results were kept; "
                    "rerun its scenario to colour the lines by damage and service"
                )
            continue
        ids = arrays[f"{kind}_link_id"]
        keys = arrays[f"{kind}_link_key"]
        levels, families = damage_levels(kind, arrays)
        served = arrays.get(f"{kind}_link_served_day0")
        networks[kind] = {
            "links": len(ids),
            "damage_realisations": int(levels.shape[0]) if levels is not None else 0,
            "service_realisations": int(served.shape[0]) if served is not None else 0,
        }
        shares, median = damage_summary(levels, len(keys))
        served_share = served.mean(axis=0).round(4).tolist() if served is not None else None
        for k, (link_id, key) in enumerate(zip(ids.tolist(), keys.tolist(), strict=True)):
            family = families[k]
            assessed = family is not None and median[k] >= 0
            links[int(link_id)] = {
                "kind": kind,
                "key": key,
                "damage_state": LABELS[family][median[k]] if assessed else None,  # type: ignore[index]
                "damage_level": median[k] if assessed else None,
                "damage_shares": shares[k] if assessed else None,
                "served_share": served_share[k] if served_share is not None else None,
            }
    return {"layer": "lifelines", "networks": networks, "links": links}


def damage_levels(
    kind: str, arrays: dict[str, NDArray[Any]]
) -> tuple[NDArray[np.int8] | None, list[str | None]]:
    """Damage level (0..2, −1 not assessed) of each link per realisation, and its label family.

    Returns
    -------
    levels : ndarray (N, K) or None
        N = R for water and gas, L for roads; None when the network has no damage model.
    families : list of str or None
        ``"pipe"``, ``"road"``, ``"component"`` or None (not assessed), per link.
    """
    keys = arrays[f"{kind}_link_key"].tolist()
    families: list[str | None] = [None] * len(keys)
    rows = _realisations(kind, arrays)
    if rows == 0:
        return None, families
    levels = np.full((rows, len(keys)), NOT_ASSESSED, dtype=np.int8)
    column = {key: k for k, key in enumerate(keys)}
    if f"{kind}_pipe_key" in arrays:
        cols = np.array([column[p] for p in arrays[f"{kind}_pipe_key"].tolist()], dtype=np.int64)
        leaks, breaks = arrays[f"{kind}_pipe_leaks"], arrays[f"{kind}_pipe_breaks"]
        levels[:, cols] = np.where(breaks > 0, 2, np.where(leaks > 0, 1, 0))[:rows]
        for c in cols:
            families[c] = "pipe"
    if kind == "road" and "road_blocked_day0" in arrays:
        blocked, slowed = arrays["road_blocked_day0"], arrays["road_slowed_day0"]
        levels[:, :] = np.where(blocked, 2, np.where(slowed, 1, 0))[:rows]
        families = ["road"] * len(keys)
    if f"{kind}_link_component_ds" in arrays:
        ds = arrays[f"{kind}_link_component_ds"][:rows]
        out = arrays[f"{kind}_link_component_out"][:rows]
        component = np.where(out, 2, np.where(ds > 0, 1, 0))
        is_component = (ds >= 0).all(axis=0)
        levels[:, is_component] = np.maximum(levels[:, is_component], component[:, is_component])
        for c in np.flatnonzero(is_component):
            families[int(c)] = "component"
    return levels, families


def _realisations(kind: str, arrays: dict[str, NDArray[Any]]) -> int:
    if kind == "road":
        return int(arrays["road_blocked_day0"].shape[0]) if "road_blocked_day0" in arrays else 0
    for name in (f"{kind}_pipe_leaks", f"{kind}_link_component_ds"):
        if name in arrays:
            return int(arrays[name].shape[0])
    return 0


def damage_summary(
    levels: NDArray[np.int8] | None, n_links: int
) -> tuple[list[list[float]], list[int]]:
    """Share of assessed realisations at each level (0..2) and the median level of each link
    (−1 where no realisation assesses it)."""
    if levels is None or levels.shape[0] == 0:
        return [[0.0, 0.0, 0.0]] * n_links, [NOT_ASSESSED] * n_links
    assessed = (levels != NOT_ASSESSED).sum(axis=0)
    counts = np.stack([(levels == level).sum(axis=0) for level in range(3)], axis=1)
    shares = counts / np.maximum(assessed, 1)[:, None]
    at_least = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]  # realisations at level ≥ l
    half_or_more = 2 * at_least >= assessed[:, None]  # in counts: no rounding at one half
    median = np.where(assessed > 0, half_or_more.cumsum(axis=1).argmax(axis=1), NOT_ASSESSED)
    return shares.round(4).tolist(), median.astype(int).tolist()
