"""A run's resilience assessment report: HTML (Django templates) and PDF (WeasyPrint).

One document per language: ``report.html``/``report.pdf`` (English) and
``report.zh.html``/``report.zh.pdf`` (Chinese), sharing ``figures/*.png`` in the run's
directory. The same run data gives the same HTML: the only time shown is the run's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from scenarios.engine.report.figures import ranking_figure, recovery_figure, scorecard_figure
from scenarios.engine.report.model import Cell, FigureSpec, Section, build_report
from scenarios.models import GMPE_CHOICES, ScenarioRun
from scenarios.report_consequences import (
    casualties_section,
    fire_chemical_section,
    lifelines_section,
)
from scenarios.report_data import RunData, run_data
from scenarios.report_sections import Built, Draw, absent, damage_section, hazard_section, table
from twin.models import ImportRecord

LANGUAGES = ("en", "zh")
FILES = {"en": ("report.html", "report.pdf"), "zh": ("report.zh.html", "report.zh.pdf")}
METHODS_EN = (
    "Ground motion: {gmpe} with spatially correlated within-event residuals; building damage "
    "from Hazus fragility curves (FEMA 2003) on the simulated intensity measures; casualties "
    "from Hazus rates; building grades after GB/T 38591-2020; intensity after GB/T 17742-2020."
)
METHODS_ZH = (
    "地震动：{gmpe}，事件内残差空间相关；建筑破坏采用 Hazus 易损性曲线（FEMA 2003）；"
    "人员伤亡采用 Hazus 伤亡率；建筑抗震韧性评级依据 GB/T 38591-2020；烈度依据 GB/T 17742-2020。"
)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What :func:`report_write` wrote: paths by kind and the page count of each PDF."""

    html: dict[str, Path]
    pdf: dict[str, Path]
    figures: dict[str, Path]
    pages: dict[str, int]


def report_write(
    *, run: ScenarioRun, directory: Path, outputs: dict[str, float] | None = None, pdf: bool = True
) -> ReportFiles:
    """Write the report of ``run`` into ``directory`` (figures, HTML and, unless told, PDF)."""
    data = run_data(run, directory, outputs)
    sections, jobs = report_sections(data)
    out = directory / "figures"
    out.mkdir(exist_ok=True)
    figures = {spec.id: draw(out) for spec, draw in jobs}
    html: dict[str, Path] = {}
    pdfs: dict[str, Path] = {}
    pages: dict[str, int] = {}
    for lang in LANGUAGES:
        text = render_html(data, sections, lang)
        html[lang] = directory / FILES[lang][0]
        html[lang].write_text(text, encoding="utf-8")
        if pdf:
            pdfs[lang], pages[lang] = _pdf(text, directory, directory / FILES[lang][1])
    return ReportFiles(html, pdfs, figures, pages)


def report_sections(data: RunData) -> tuple[list[Section], list[tuple[FigureSpec, Draw]]]:
    """Every section in report order and the figures they need."""
    engine = _engine_sections(data)
    built: list[Built] = [
        (summary_section(data, _section(engine, "summary")), []),
        hazard_section(data),
        damage_section(data),
        lifelines_section(data),
        fire_chemical_section(data),
        casualties_section(data),
    ]
    for key, en, zh, files in (
        ("recovery", "Recovery of functionality", "功能恢复", "recovery.npz"),
        ("scorecard", "Indicator scorecard", "指标评分", "scorecard.json"),
    ):
        built.append(engine[key] if key in engine else (absent(key, en, zh, files), []))
    if "ranking" in engine:
        built.append(engine["ranking"])
    built.append((methods_section(data, _section(engine, "methods")), []))
    return [s for s, _ in built], [job for _, jobs in built for job in jobs]


def _section(engine: dict[str, Built], key: str) -> Section | None:
    return engine[key][0] if key in engine else None


def _engine_sections(data: RunData) -> dict[str, Built]:
    """Scorecard (with weights), recovery bands and ranking sections of the engine's model."""
    card, bands = data.scorecard, data.bands
    if card is None:
        return {}
    model = build_report(
        town=data.run.town.slug,
        tree=data.tree,
        scorecard=card,
        bands=data.bands,
        ranking=data.ranking,
        versions={},
    )
    drawers = {
        "scorecard": lambda s: lambda out: scorecard_figure(card, s, out),
        "recovery_bands": lambda s: lambda out: recovery_figure(bands, s, out),  # type: ignore[arg-type]
        "ranking": lambda s: lambda out: ranking_figure(data.ranking, s, out),
    }
    return {s.id: (s, [(f, drawers[f.kind](f)) for f in s.figures]) for s in model.sections}


def summary_section(data: RunData, engine: Section | None) -> Section:
    """Town, scenario, run identity and headline results."""
    run, sc = data.run, data.run.scenario
    gmpe = dict(GMPE_CHOICES).get(sc.gmpe, sc.gmpe)
    rupture = (
        f"finite (strike {sc.strike_deg:g}°, dip {sc.dip_deg:g}°, rake {sc.rake_deg:g}°)"
        if sc.finite_rupture
        else "point source"
    )
    rows: list[tuple[Cell, ...]] = [
        ("town", "城镇", f"{run.town.name or run.town.slug} ({run.town.slug})"),
        ("scenario", "情景", sc.name),
        (
            "epicentre (lon, lat)",
            "震中（经度，纬度）",
            f"{sc.epicentre.x:.4f}, {sc.epicentre.y:.4f}",
        ),
        ("magnitude M", "震级 M", f"{sc.magnitude:g}"),
        ("focal depth (km)", "震源深度（km）", f"{sc.depth_km:g}"),
        ("rupture", "破裂模型", rupture),
        ("ground-motion model", "地震动模型", f"{sc.gmpe}: {gmpe}"),
        ("analysis", "分析方法", sc.analysis),
        ("realisations, seed", "模拟次数，随机种子", f"{sc.realisations}, {sc.seed}"),
        ("time of day", "发生时刻", sc.time_of_day),
        ("run", "运行编号", str(run.pk)),
        ("input digest (SHA-256)", "输入摘要（SHA-256）", run.input_digest),
        ("run started", "运行开始", _time(run.started_at)),
        ("run finished", "运行结束", _time(run.finished_at)),
    ]
    headline = [
        (k, data.tree.outputs[k].description_en if k in data.tree.outputs else "", round(v, 4))
        for k, v in sorted(data.outputs.items())
        if k.startswith(("buildings.", "casualties.", "people.", "hazard."))
    ]
    tables = (
        table("scenario", ("item", "项目", "value"), ("item", "项目", "值"), rows),
        table(
            "headline",
            ("run output", "description", "value"),
            ("运行输出", "说明", "数值"),
            headline,
        ),
    )
    en = engine.paragraphs_en if engine else ("Not scored: this run has no scorecard.json.",)
    zh = engine.paragraphs_zh if engine else ("未评分：本次运行未生成 scorecard.json。",)
    return Section("summary", "Summary", "摘要", en, zh, tables)


def methods_section(data: RunData, engine: Section | None) -> Section:
    """Methods, code versions, indicator tree and the town's imported data files."""
    run = data.run
    gmpe = run.scenario.gmpe
    versions = [
        ("indicator tree", data.tree.version),
        ("input digest", run.input_digest),
        *sorted((k, str(v)) for k, v in run.versions.items()),
    ]
    records = ImportRecord.objects.filter(town=run.town).order_by("kind", "file_name", "pk")
    files = [(r.kind, r.file_name, r.sha256[:16]) for r in records]
    tables = [table("versions", ("item", "version"), ("项目", "版本"), versions)]
    if files:
        tables.append(
            table(
                "data",
                ("kind", "file", "SHA-256 (first 16)"),
                ("类型", "文件", "SHA-256（前16位）"),
                files,
            )
        )
    en = (METHODS_EN.format(gmpe=gmpe), *(engine.paragraphs_en if engine else ()))
    zh = (METHODS_ZH.format(gmpe=gmpe), *(engine.paragraphs_zh if engine else ()))
    return Section("methods", "Methods and data versions", "方法与数据版本", en, zh, tuple(tables))


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def render_html(data: RunData, sections: list[Section], lang: str) -> str:
    """The report in one language as a standalone HTML page (figures relative to it)."""
    context = {
        "lang": lang,
        "title": ("Earthquake resilience assessment" if lang == "en" else "地震韧性评估报告"),
        "town": data.run.town.name or data.run.town.slug,
        "scenario": data.run.scenario.name,
        "run_id": data.run.pk,
        "sections": [_view(s, lang) for s in sections],
        "other": FILES["zh" if lang == "en" else "en"][0],
    }
    return render_to_string("scenarios/report.html", context)


def _view(section: Section, lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    return {
        "id": section.id,
        "title": section.title_zh if zh else section.title_en,
        "paragraphs": section.paragraphs_zh if zh else section.paragraphs_en,
        "tables": [
            {
                "id": t.id,
                "columns": t.columns_zh if zh else t.columns_en,
                "rows": [[_cell(c) for c in r] for r in t.rows],
            }
            for t in section.tables
        ],
        "figures": [
            {
                "id": f.id,
                "src": f"figures/{f.filename}",
                "caption": f.title_zh if zh else f.title_en,
            }
            for f in section.figures
        ],
    }


def _cell(value: Cell) -> str:
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if value != value:  # NaN
        return "—"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _pdf(html: str, directory: Path, path: Path) -> tuple[Path, int]:
    from weasyprint import HTML  # heavy import, needed only here

    document = HTML(string=html, base_url=str(directory)).render()
    document.write_pdf(path)
    return path, len(document.pages)
