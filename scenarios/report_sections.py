"""Sections of a run's report built from :class:`~scenarios.report_data.RunData`.

Each builder returns a :class:`Section` of the engine's report model and the figures it needs
as (spec, draw) pairs; ``draw(out_dir)`` writes the PNG named by the spec. A section whose
data file is absent says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from scenarios import report_charts, report_maps
from scenarios.engine.report.model import Cell, FigureSpec, Section, Table
from scenarios.report_data import RunData

Draw = Callable[[Path], Path]
Built = tuple[Section, list[tuple[FigureSpec, Draw]]]
STATE_LABELS_ZH = ("无", "轻微", "中等", "严重", "完全", "倒塌")
ROMAN = {5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X", 11: "XI", 12: "XII"}


def table(
    table_id: str, en: Sequence[str], zh: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> Table:
    return Table(table_id, tuple(en), tuple(zh), tuple(tuple(r) for r in rows))


def figure(fig_id: str, kind: str, en: str, zh: str) -> FigureSpec:
    return FigureSpec(fig_id, kind, en, zh, f"{fig_id}.png")


def absent(section_id: str, en: str, zh: str, files: str) -> Section:
    """A section that says its data file is not in the run directory."""
    return Section(
        section_id,
        en,
        zh,
        (f"Not available: this run has no {files}.",),
        (f"无数据：本次运行未生成 {files}。",),
    )


def outputs_table(data: RunData, table_id: str, prefixes: tuple[str, ...]) -> Table | None:
    """The run outputs whose keys start with ``prefixes``, with the registry's descriptions."""
    registry = data.tree.outputs
    rows = [
        (
            k,
            registry[k].description_en if k in registry else "",
            round(v, 4),
            registry[k].unit if k in registry else "",
        )
        for k, v in sorted(data.outputs.items())
        if k.startswith(prefixes)
    ]
    if not rows:
        return None
    return table(
        table_id,
        ("run output", "description", "value", "unit"),
        ("运行输出", "说明", "数值", "单位"),
        rows,
    )


def _epicentre(data: RunData) -> tuple[float, float]:
    point = data.run.scenario.epicentre
    return float(point.x), float(point.y)


def _footprints(data: RunData, name: str) -> report_maps.Footprints:
    ids = tuple(int(i) for i in data.arrays[name]["building_id"])
    key = f"footprints:{hash(ids)}"
    if key not in data.cache:  # one query for all the maps of the same buildings
        data.cache[key] = report_maps.footprints_of(ids)
    return data.cache[key]  # type: ignore[no-any-return]


def hazard_section(data: RunData) -> Built:
    """Median PGA at the buildings (map, statistics) and macroseismic intensity counts."""
    if "hazard" not in data.arrays:
        return absent("hazard", "Ground shaking", "地震动", "hazard.npz"), []
    hz = data.arrays["hazard"]
    pga = np.asarray(hz["building_pga_g"])  # (R, B)
    median = np.median(pga, axis=0)
    p84 = np.percentile(pga, 84, axis=0)
    rows: list[tuple[Cell, ...]] = [
        (
            "median PGA at buildings, min / mean / max (g)",
            f"{median.min():.3f} / {median.mean():.3f} / {median.max():.3f}",
        ),
        ("84th-percentile PGA at buildings, max (g)", round(float(p84.max()), 3)),
        (
            "Vs30 at sites, min / max (m/s)",
            f"{np.min(hz['vs30_m_s']):.0f} / {np.max(hz['vs30_m_s']):.0f}",
        ),
    ]
    tables = [table("hazard", ("quantity", "value"), ("量", "数值"), rows)]
    if "intensity" in data.arrays:
        degrees = np.rint(data.arrays["intensity"]["intensity"][: median.size]).astype(int)
        counts = sorted(zip(*np.unique(degrees, return_counts=True), strict=True))
        tables.append(
            table(
                "intensity",
                ("intensity (GB/T 17742)", "buildings"),
                ("烈度（GB/T 17742）", "建筑数"),
                [(ROMAN.get(int(d), str(d)), int(n)) for d, n in counts],
            )
        )
    spec = figure("map-hazard", "map", "Median PGA at buildings (g)", "建筑处 PGA 中位值（g）")

    def draw(out: Path) -> Path:
        return report_maps.continuous_map(
            _footprints(data, "hazard"),
            median,
            out / spec.filename,
            title="median PGA",
            label="PGA (g)",
            epicentre=_epicentre(data),
        )

    n = pga.shape[0]
    return Section(
        "hazard",
        "Ground shaking",
        "地震动",
        (f"{n} realisations of spatially correlated ground motion; the map shows the median.",),
        (f"共 {n} 次空间相关地震动模拟；图为中位值。",),
        tuple(tables),
        (spec,),
    ), [(spec, draw)]


def damage_section(data: RunData) -> Built:
    """Damage by structural type and by GB/T 38591 grade: tables, charts and maps."""
    if "buildings" not in data.arrays:
        return absent("damage", "Building damage", "建筑破坏", "buildings.npz"), []
    from twin.models import Building  # the shell's view of the town

    bd = data.arrays["buildings"]
    ids = [int(i) for i in bd["building_id"]]
    types = dict(Building.objects.filter(pk__in=ids).values_list("pk", "structural_system"))
    kind = np.array([types.get(i) or "?" for i in ids])
    ds = np.asarray(bd["damage_state"])  # (B, R)
    stars = np.asarray(bd["stars"], dtype=np.int64)
    cost, days = np.asarray(bd["repair_cost_ratio"]), np.asarray(bd["repair_time_d"])
    shares, by_type = {}, []
    for name in sorted(set(kind.tolist())):
        m = kind == name
        shares[name] = np.array([(ds[m] == s).mean() for s in range(6)])
        by_type.append(
            (
                name,
                int(m.sum()),
                round(float(ds[m].mean()), 2),
                round(100 * float((ds[m] >= 3).mean()), 1),
                round(100 * float((ds[m] >= 5).mean()), 1),
                round(100 * float(cost[m].mean()), 1),
                round(float(days[m].mean()), 1),
            )
        )
    star_counts = [int((stars == s).sum()) for s in range(6)]
    star_damage = [
        float(ds[stars == s].mean()) if star_counts[s] else float("nan") for s in range(6)
    ]
    by_star = [
        (
            s,
            star_counts[s],
            round(star_damage[s], 2),
            round(100 * float((ds[stars == s] >= 5).mean()), 1),
        )
        for s in range(6)
        if star_counts[s]
    ]
    tables = (
        table(
            "damage-type",
            (
                "type",
                "buildings",
                "mean damage state",
                "P(≥ extensive) %",
                "P(collapse) %",
                "repair cost ratio %",
                "repair time (d)",
            ),
            (
                "结构类型",
                "建筑数",
                "平均破坏状态",
                "严重及以上概率 %",
                "倒塌概率 %",
                "修复费用比 %",
                "修复时间（天）",
            ),
            by_type,
        ),
        table(
            "damage-stars",
            ("stars", "buildings", "mean damage state", "P(collapse) %"),
            ("星级", "建筑数", "平均破坏状态", "倒塌概率 %"),
            by_star,
        ),
    )
    figs = [
        figure(
            "chart-damage-type", "chart", "Damage states by structural type", "各结构类型破坏状态"
        ),
        figure("chart-stars", "chart", "Buildings by GB/T 38591 stars", "GB/T 38591 星级分布"),
        figure("map-damage", "map", "Mean damage state", "平均破坏状态"),
        figure("map-stars", "map", "GB/T 38591 stars", "GB/T 38591 星级"),
    ]
    mean_state = np.rint(np.asarray(bd["mean_damage_state"])).astype(np.int64)
    draws: list[Draw] = [
        lambda out: report_charts.damage_by_type_chart(shares, out / figs[0].filename),
        lambda out: report_charts.stars_chart(
            star_counts, np.nan_to_num(star_damage).tolist(), out / figs[1].filename
        ),
        lambda out: report_maps.category_map(
            _footprints(data, "buildings"),
            mean_state,
            out / figs[2].filename,
            title="mean damage state (rounded)",
            colours=report_maps.DAMAGE_COLOURS,
            labels=report_charts.DAMAGE_LABELS,
            epicentre=_epicentre(data),
        ),
        lambda out: report_maps.category_map(
            _footprints(data, "buildings"),
            stars,
            out / figs[3].filename,
            title="GB/T 38591 stars",
            colours=report_maps.STAR_COLOURS,
            labels=[f"{s}★" for s in range(6)],
        ),
    ]
    r = ds.shape[1]
    return Section(
        "damage",
        "Building damage",
        "建筑破坏",
        (
            f"{len(ids)} buildings, {r} realisations; Hazus damage states 0 (none) to 5 "
            "(collapse); GB/T 38591 stars rated at the design-basis and rare earthquake of each "
            "building's code.",
        ),
        (
            f"{len(ids)} 栋建筑，{r} 次模拟；Hazus 破坏状态 0（无）至 5（倒塌）；"
            "GB/T 38591 星级按各建筑设防地震与罕遇地震评定。",
        ),
        tables,
        tuple(figs),
    ), list(zip(figs, draws, strict=True))
