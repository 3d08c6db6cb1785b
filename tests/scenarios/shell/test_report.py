"""The run report: bilingual HTML and PDF with maps and charts, deterministic, robust to
missing step files. The run directory is made by the project's own hazard and buildings steps
on a small town of generated IFC buildings."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from PIL import Image

from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.scoring import score_run
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import RunContext
from scenarios.reports import report_write
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from twin import services as twin_services
from twin.engine.ifc.writer import write_demo_building_ifc
from twin.models import Facility

LAT, LON = 31.0, 103.6
HEADINGS_EN = (
    "Summary",
    "Ground shaking",
    "Building damage",
    "Lifeline service",
    "Fire and chemical releases",
    "Casualties and shelter needs",
    "Recovery of functionality",
    "Indicator scorecard",
    "Methods and data versions",
)
HEADINGS_ZH = ("摘要", "地震动", "建筑破坏", "生命线服务", "人员伤亡与避难需求", "指标评分")
poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils missing: make system installs it"
)


def _town(tmp: Path) -> None:
    for i in range(4):
        path = tmp / f"b{i}.ifc"
        write_demo_building_ifc(
            path,
            name=f"B{i}",
            latitude_deg=LAT + 0.0004 * (i // 2),
            longitude_deg=LON + 0.0005 * (i % 2),
            storeys=2 + 2 * i,
            system="steel_frame" if i % 2 else "concrete_frame",
            seed=i,
        )
        twin_services.ifc_import(town_slug="tiny", path=path)


@pytest.fixture
def context(db: None, tmp_path: Path, settings: object) -> RunContext:
    _town(tmp_path)
    town = twin_services.town_get_or_create(slug="tiny")
    Facility.objects.create(
        town=town,
        kind="shelter",
        name="Square",
        capacity=40.0,
        location=Point(LON, LAT - 0.0003, srid=4326),
    )
    Facility.objects.create(
        town=town,
        kind="hazchem_site",
        name="Works",
        substance="chlorine",
        location=Point(LON + 0.001, LAT, srid=4326),
    )
    scenario = Scenario.objects.create(
        town=town,
        name="M6.5 west",
        epicentre=Point(103.5, 31.0, srid=4326),
        magnitude=6.5,
        depth_km=10.0,
        realisations=8,
        seed=7,
    )
    run = ScenarioRun.objects.create(
        scenario=scenario, input_digest="d" * 64, versions={"numpy": np.__version__}
    )
    directory = tmp_path / "run"
    directory.mkdir()
    ctx = RunContext(run.pk, scenario, directory, lambda f, m: None)
    for step in (hazard_step, buildings_step):
        ctx.outputs.update(step(ctx))
    return ctx


def _later_steps(ctx: RunContext) -> None:
    """Stand-ins for the lifelines and indicators steps' files, in their layout."""
    ids = ctx.load_arrays("buildings")["building_id"]
    rng = np.random.default_rng(0)
    r, b, t = 8, ids.size, np.arange(0.0, 6 * 3600.0 + 1, 1200.0)
    ctx.save_arrays(
        "lifelines",
        building_id=ids,
        water_served_day0=rng.random((r, b)) < 0.4,
        water_served_day3=rng.random((r, b)) < 0.8,
        power_served_day0=rng.random((r, b)) < 0.5,
        power_served_day3=np.ones((r, b), bool),
        road_blocked_day0=rng.random((r, 5)) < 0.2,
    )
    ignition = np.where(rng.random((r, b)) < 0.3, 600.0, np.inf)
    burnt = np.cumsum(rng.random((r, t.size)) < 0.2, axis=1)
    ctx.save_arrays(
        "fire",
        building_id=ids,
        times_s=t,
        ignition_s=ignition,
        end_s=ignition + 3600,
        burning=np.ones((r, t.size)),
        burnt=burnt,
    )
    ctx.save_arrays("chemical", building_id=ids, level=rng.integers(0, 4, (r, b)).astype(np.int8))
    tree = load_tree()
    outputs = {k: ctx.outputs.get(k, 1.0) for k in tree.outputs}  # missing ones: placeholders
    ctx.save_json("scorecard", asdict(score_run(tree, outputs, run_id=str(ctx.run_id))))


def _run(ctx: RunContext) -> ScenarioRun:
    return ScenarioRun.objects.select_related("scenario__town").get(pk=ctx.run_id)


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@poppler
def test_report_pdf_opens_with_headings_maps_and_charts(context: RunContext) -> None:
    _later_steps(context)
    files = report_write(run=_run(context), directory=context.directory, outputs=context.outputs)
    assert {p.name for p in files.figures.values()} >= {
        "map-hazard.png",
        "map-damage.png",
        "map-stars.png",
        "chart-damage-type.png",
        "chart-stars.png",
        "chart-lifelines.png",
        "map-fire.png",
        "chart-fire.png",
        "map-plume.png",
        "chart-casualties.png",
        "scorecard.png",
    }
    for lang, headings in (("en", HEADINGS_EN), ("zh", HEADINGS_ZH)):
        pdf = files.pdf[lang]
        assert pdf.read_bytes().startswith(b"%PDF") and files.pages[lang] >= 3
        text = _text(pdf)
        assert all(h in text for h in headings), [h for h in headings if h not in text]
        images = subprocess.run(
            ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert len(images) >= len(files.figures)
    assert "地震韧性评估报告" in _text(files.pdf["zh"])  # the CJK font is embedded
    png = context.directory / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(files.pdf["en"]),
            str(png),
        ],
        check=True,
    )
    page = np.asarray(Image.open(f"{png}.png").convert("L"), dtype=float)
    assert (page < 200).mean() > 0.02  # text and a map, not a blank page


def test_same_run_data_gives_identical_html_and_figures(context: RunContext) -> None:
    _later_steps(context)
    first = report_write(
        run=_run(context), directory=context.directory, outputs=context.outputs, pdf=False
    )
    html = {k: p.read_text() for k, p in first.html.items()}
    pngs = {k: p.read_bytes() for k, p in first.figures.items()}
    second = report_write(
        run=_run(context), directory=context.directory, outputs=context.outputs, pdf=False
    )
    assert {k: p.read_text() for k, p in second.html.items()} == html
    assert {k: p.read_bytes() for k, p in second.figures.items()} == pngs
    assert 'src="figures/map-hazard.png"' in html["en"] and 'lang="zh-CN"' in html["zh"]


def test_sections_without_their_files_say_so(context: RunContext) -> None:
    files = report_write(
        run=_run(context), directory=context.directory, outputs=context.outputs, pdf=False
    )
    html = files.html["en"].read_text()
    for missing in ("lifelines.npz", "fire.npz", "chemical.npz", "recovery.npz", "scorecard.json"):
        assert f"no {missing}" in html or f"({missing} absent)" in html, missing
    assert "map-hazard" in files.figures and "map-fire" not in files.figures
    assert "无数据" in files.html["zh"].read_text()
    json.loads(json.dumps(context.outputs))  # outputs stay plain numbers
