"""Report sections of the consequences beyond buildings: lifelines, fire and chemical
releases, casualties and shelter needs (see :mod:`scenarios.report_sections`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import report_charts, report_maps
from scenarios.engine.report.model import Cell, FigureSpec, Section
from scenarios.report_data import RunData
from scenarios.report_sections import (
    Built,
    Draw,
    _epicentre,
    _footprints,
    absent,
    figure,
    outputs_table,
    table,
)
from twin.models import Facility

LIFELINE_PREFIXES = ("power.", "gas.", "water.", "roads.", "lifelines.")
EMERGENCY_PREFIXES = ("evacuation.", "shelter.", "hospital.", "rescue.", "people.", "casualties.")
SERVED_KEY = re.compile(r"(?P<system>[a-z]+)_served_day(?P<day>[0-9]+)")


def _served_by_day(arrays: dict[str, Any]) -> dict[str, dict[float, np.ndarray]]:
    """``<system>_served_day<d>`` arrays (R, B) -> system -> day -> served share per realisation."""
    found: dict[str, dict[float, np.ndarray]] = {}
    for key, value in sorted(arrays.items()):
        match = SERVED_KEY.fullmatch(key)
        if match and np.ndim(value) == 2:
            shares = np.asarray(value, dtype=float).mean(axis=1)
            found.setdefault(match["system"], {})[float(match["day"])] = shares
    return found


def lifelines_section(data: RunData) -> Built:
    """Served share of each system on the days the lifelines step stored, and its outputs."""
    tables = [t for t in [outputs_table(data, "lifeline-outputs", LIFELINE_PREFIXES)] if t]
    arrays = data.arrays.get("lifelines")
    if arrays is None:
        if not tables:
            return absent("lifelines", "Lifeline service", "生命线服务", "lifelines.npz"), []
        return Section(
            "lifelines",
            "Lifeline service",
            "生命线服务",
            ("No service results by building in this run (lifelines.npz absent).",),
            ("本次运行无逐栋服务结果（缺少 lifelines.npz）。",),
            tuple(tables),
        ), []
    served = _served_by_day(arrays)
    rows = [
        (
            system,
            f"{day:g}",
            round(100 * float(v.mean()), 1),
            round(100 * float(np.percentile(v, 10)), 1),
            round(100 * float(np.percentile(v, 90)), 1),
        )
        for system, days in served.items()
        for day, v in sorted(days.items())
    ]
    for key, en in (
        ("road_blocked_day0", "road links blocked"),
        ("facility_network_served_day3", "critical facilities served"),
    ):
        if key in arrays and np.size(arrays[key]):
            v = np.asarray(arrays[key], dtype=float).reshape(len(arrays[key]), -1).mean(axis=1)
            day = key.rsplit("day", 1)[1]
            rows.append(
                (
                    en,
                    day,
                    round(100 * float(v.mean()), 1),
                    round(100 * float(np.percentile(v, 10)), 1),
                    round(100 * float(np.percentile(v, 90)), 1),
                )
            )
    tables.insert(
        0,
        table(
            "lifeline-service",
            ("system", "day", "mean %", "p10 %", "p90 %"),
            ("系统", "天", "均值 %", "10%分位 %", "90%分位 %"),
            rows,
        ),
    )
    if not served:
        return Section("lifelines", "Lifeline service", "生命线服务", (), (), tuple(tables)), []
    days = sorted({d for v in served.values() for d in v})
    spec = figure(
        "chart-lifelines",
        "chart",
        "Buildings served by each lifeline",
        "各生命线系统服务的建筑比例",
    )

    def series(f: Any) -> dict[str, np.ndarray]:
        return {
            s: np.array([f(v[d]) for d in days]) for s, v in served.items() if len(v) == len(days)
        }

    def draw(out: Path) -> Path:
        return report_charts.service_chart(
            np.array(days),
            series(np.mean),
            series(lambda v: np.percentile(v, 10)),
            series(lambda v: np.percentile(v, 90)),
            out / spec.filename,
        )

    return Section(
        "lifelines",
        "Lifeline service",
        "生命线服务",
        (
            "Share of buildings whose supply is connected; mean and 10th-90th percentiles "
            "over realisations. Restoration over time is in the recovery section.",
        ),
        ("供应连通的建筑比例；各模拟的均值与10%-90%分位。随时间的恢复见功能恢复一节。",),
        tuple(tables),
        (spec,),
    ), [(spec, draw)]


def fire_chemical_section(data: RunData) -> Built:
    """Burning probability (``fire.npz``) and toxic-plume exposure (``chemical.npz``) maps."""
    parts: list[tuple[FigureSpec, Draw]] = []
    en, zh = [], []
    fire = data.arrays.get("fire", {})
    if "ignition_s" in fire and "building_id" in fire:
        p = np.isfinite(np.asarray(fire["ignition_s"], dtype=float)).mean(axis=0)
        fire_spec = figure("map-fire", "map", "Probability of burning", "建筑起火烧毁概率")
        parts.append(
            (
                fire_spec,
                lambda out: report_maps.continuous_map(
                    _footprints(data, "fire"),
                    p,
                    out / fire_spec.filename,
                    title="fire following earthquake",
                    label="P(burnt)",
                    cmap="Reds",
                    vmin=0.0,
                    vmax=1.0,
                    epicentre=_epicentre(data),
                ),
            )
        )
        if {"times_s", "burning", "burnt"} <= fire.keys() and np.size(fire["times_s"]):
            spread = figure("chart-fire", "chart", "Fire spread over time", "火灾蔓延过程")
            parts.append(
                (
                    spread,
                    lambda out: report_charts.fire_chart(
                        np.asarray(fire["times_s"]) / 3600.0,
                        np.asarray(fire["burning"], dtype=float),
                        np.asarray(fire["burnt"], dtype=float),
                        out / spread.filename,
                    ),
                )
            )
        en.append(
            f"Fire: {int((p >= 0.5).sum())} buildings burn in at least half the "
            f"realisations, {int((p > 0).sum())} in at least one."
        )
        zh.append(
            f"火灾：{int((p >= 0.5).sum())} 栋建筑在半数以上模拟中起火，"
            f"{int((p > 0).sum())} 栋至少在一次模拟中起火。"
        )
    else:
        en.append("Fire: not available (fire.npz absent).")
        zh.append("火灾：无数据（缺少 fire.npz）。")
    chem = data.arrays.get("chemical", {})
    if "level" in chem and "building_id" in chem:
        q = (np.atleast_2d(np.asarray(chem["level"])) >= 2).mean(axis=0)
        sites = [
            (f.name, f.location.x, f.location.y)
            for f in Facility.objects.filter(town=data.run.town, kind="hazchem_site").order_by(
                "name", "pk"
            )
        ]
        plume = figure(
            "map-plume",
            "map",
            "Probability of AEGL-2 exposure or worse",
            "达到 AEGL-2 及以上浓度的概率",
        )
        parts.append(
            (
                plume,
                lambda out: report_maps.continuous_map(
                    _footprints(data, "chemical"),
                    q,
                    out / plume.filename,
                    title="toxic plume",
                    label="P(AEGL-2 or worse)",
                    cmap="Purples",
                    vmin=0.0,
                    vmax=1.0,
                    sites=sites,
                ),
            )
        )
        en.append(
            f"Chemical release: {int((q > 0).sum())} buildings reach AEGL-2 or worse in at "
            "least one realisation (triangles: hazardous-chemical sites)."
        )
        zh.append(
            f"化学品泄漏：{int((q > 0).sum())} 栋建筑至少在一次模拟中达到 AEGL-2 及以上浓度"
            "（三角形为危化品场所）。"
        )
    else:
        en.append("Chemical release: not available (chemical.npz absent).")
        zh.append("化学品泄漏：无数据（缺少 chemical.npz）。")
    tables = tuple(t for t in [outputs_table(data, "fire-outputs", ("fire.", "chemical."))] if t)
    return Section(
        "fire",
        "Fire and chemical releases",
        "次生火灾与化学品泄漏",
        tuple(en),
        tuple(zh),
        tables,
        tuple(s for s, _ in parts),
    ), parts


def casualties_section(data: RunData) -> Built:
    """Casualties by Hazus severity, displaced people and shelter places."""
    if "buildings" not in data.arrays:
        return absent(
            "casualties", "Casualties and shelter needs", "人员伤亡与避难需求", "buildings.npz"
        ), []
    by_severity = np.asarray(data.arrays["buildings"]["casualties"]).sum(axis=0)
    places = sum(
        c or 0.0
        for c in Facility.objects.filter(town=data.run.town, kind="shelter").values_list(
            "capacity", flat=True
        )
    )
    displaced = data.output("people.displaced") or 0.0
    rows: list[tuple[Cell, ...]] = [
        ("minor injuries (severity 1)", "轻伤（1级）", round(float(by_severity[0]), 1)),
        ("serious injuries (severity 2)", "重伤（2级）", round(float(by_severity[1]), 1)),
        (
            "life-threatening injuries (severity 3)",
            "危重伤（3级）",
            round(float(by_severity[2]), 1),
        ),
        ("deaths (severity 4)", "死亡（4级）", round(float(by_severity[3]), 1)),
        ("residents displaced", "需安置居民", round(displaced, 1)),
        ("shelter places in the town", "避难场所容量", round(float(places), 0)),
        ("shelter places lacking", "避难容量缺口", round(max(displaced - places, 0.0), 1)),
    ]
    tables = [table("casualties", ("item", "项目", "persons"), ("item", "项目", "人数"), rows)]
    extra = outputs_table(data, "emergency-outputs", EMERGENCY_PREFIXES)
    if extra:
        tables.append(extra)
    spec = figure("chart-casualties", "chart", "Casualties by severity", "按伤情等级的伤亡")
    when = data.run.scenario.time_of_day
    note_en = "" if data.has("response-plan") else " No emergency-response results in this run."
    note_zh = "" if data.has("response-plan") else "本次运行无应急响应结果。"
    return Section(
        "casualties",
        "Casualties and shelter needs",
        "人员伤亡与避难需求",
        (
            f"Hazus casualty rates at {when}, mean over realisations; displaced: residents of "
            f"buildings in extensive damage or worse.{note_en}",
        ),
        (f"Hazus 伤亡率（{when}），取模拟均值；需安置：严重破坏及以上建筑的居民。{note_zh}",),
        tuple(tables),
        (spec,),
    ), [
        (
            spec,
            lambda out: report_charts.casualties_chart(by_severity.tolist(), out / spec.filename),
        )
    ]
