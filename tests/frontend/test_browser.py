"""The town twin in a real browser: Debian Chromium driven by Playwright, WebGL by SwiftShader.

Log in → open a town → the globe renders the buildings → click one and read its attributes →
switch the colour layer → log out; no console errors and no request leaves the test server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from playwright.sync_api import Browser, Page, sync_playwright

from tests.frontend.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FLAGS = [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous, so its async-safety guard is lifted while it runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def canvas_pixels(page: Page) -> np.ndarray:
    png = page.locator("#globe .cesium-widget canvas").screenshot()  # not the timeline's
    return imread(BytesIO(png))[..., :3]


def test_town_twin_in_the_browser(browser: Browser, deployment: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if not local(r.url, deployment) else None)

    page.goto(f"{deployment}/")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.click("text=Demo")
    page.wait_for_function("document.body && document.body.dataset.ready", timeout=180_000)
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("#status")
    assert page.inner_text("#status") == "3 buildings loaded"
    page.wait_for_timeout(3000)
    with_buildings = canvas_pixels(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "town-twin.png"))
    page.evaluate(
        "window.twinViewer.entities.show = false; window.twinViewer.scene.requestRender()"
    )
    page.wait_for_timeout(1500)
    empty_globe = canvas_pixels(page)
    page.evaluate("window.twinViewer.entities.show = true; window.twinViewer.scene.requestRender()")
    page.wait_for_timeout(3000)  # shown entities are rebuilt asynchronously before they pick
    assert with_buildings.std() > 0.02  # not blank
    assert np.abs(with_buildings - empty_globe).max(axis=2).mean() > 0.001

    x, y = page.evaluate(FIND_A_BUILDING_PIXEL)
    page.mouse.click(x, y)
    page.wait_for_selector("#attributes", timeout=30_000)
    assert page.inner_text("#attributes .attr-structural_system") in {"C1L", "C1M"}
    page.select_option("#layer", "design_era")
    assert page.locator("#legend div").count() >= 1

    page.evaluate("setEpicentre(103.55, 31.0)")
    page.fill("#magnitude", "6.8")
    page.fill("#realisations", "5")
    page.click("#launch")
    page.wait_for_selector(
        "#run-status[data-status=succeeded], #run-status[data-status=failed]", timeout=300_000
    )
    assert page.get_attribute("#run-status", "data-status") == "succeeded", page.inner_text(
        "#run-status"
    )
    assert page.eval_on_selector("#run-progress", "e => e.value") == 1
    page.wait_for_selector("#run-report:not([hidden])")
    before = page.evaluate(BUILDING_COLOURS)
    page.select_option("#layer", "run:damage")
    assert "high" in page.inner_text("#legend")
    after = page.evaluate(BUILDING_COLOURS)
    assert len(after) == 3 and after != before  # recoloured from the run's damage layer
    page.wait_for_timeout(2000)
    page.screenshot(path=str(SCREENSHOTS / "town-damage.png"))
    layer = page.evaluate(FIRST_TIME_LAYER)  # a time-dynamic layer on Cesium's clock
    page.select_option("#time-layer", layer)
    page.wait_for_selector(f"#time-layer[data-loaded={layer}]", timeout=30_000)
    assert page.evaluate(TIMELINE_ON) == [1, "shown"]
    with page.expect_download() as download:
        page.click("#report-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.click("#logout")
    page.wait_for_selector("#username")
    assert errors == [] and foreign == []


def log_in(browser: Browser, deployment: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if not local(r.url, deployment) else None)
    page.goto(f"{deployment}/")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("#login")
    return page, errors, foreign


def test_town_as_3d_tiles_in_the_browser(browser: Browser, deployment: str) -> None:
    """The large-town path (forced with ?tiles=1): pick a tile feature, style by attribute and
    by the last run's damage (runs after the test above, which leaves a finished run)."""
    page, errors, foreign = log_in(browser, deployment)
    page.goto(f"{deployment}/towns/demo/?tiles=1")
    page.wait_for_function("document.body && document.body.dataset.ready", timeout=180_000)
    assert page.inner_text("#status") == "3 buildings loaded (3D Tiles)"
    page.wait_for_function("window.twinTileset.tilesLoaded", timeout=60_000)
    page.wait_for_timeout(2000)
    with_tiles = canvas_pixels(page)
    page.screenshot(path=str(SCREENSHOTS / "town-tiles.png"))
    page.evaluate("window.twinTileset.show = false; window.twinViewer.scene.requestRender()")
    page.wait_for_timeout(1500)
    empty_globe = canvas_pixels(page)
    page.evaluate("window.twinTileset.show = true; window.twinViewer.scene.requestRender()")
    page.wait_for_timeout(1500)
    assert np.abs(with_tiles - empty_globe).max(axis=2).mean() > 0.001

    x, y, cx, cy = page.evaluate(FIND_A_TILE_FEATURE)
    page.mouse.click(x, y)
    page.wait_for_selector("#attributes", timeout=30_000)
    assert page.inner_text("#attributes .attr-structural_system") in {"C1L", "C1M"}
    assert int(page.inner_text("#attributes .attr-building_id")) > 0
    colour = (
        f"window.twinViewer.scene.pick(new Cesium.Cartesian2({cx}, {cy})).color.toCssColorString()"
    )
    page.select_option("#layer", "design_era")
    page.wait_for_timeout(1000)
    by_era = page.evaluate(colour)
    page.select_option("#layer", "run:damage")
    page.wait_for_timeout(1000)
    assert page.evaluate(colour) != by_era and "high" in page.inner_text("#legend")
    page.click("#logout")
    page.wait_for_selector("#username")
    assert errors == [] and foreign == []


FIRST_TIME_LAYER = """() => {
  const o = [...document.querySelectorAll('#time-layer option')].find((o) => o.value && !o.disabled);
  return o.value;
}"""
TIMELINE_ON = """() => [window.twinViewer.dataSources.length,
  window.twinViewer.timeline.container.style.display || "shown"]"""
FIND_A_TILE_FEATURE = """() => {
  const v = window.twinViewer, r = v.canvas.getBoundingClientRect();
  for (let y = 10; y < r.height; y += 10) for (let x = 10; x < r.width; x += 10) {
    const hit = v.scene.pick(new Cesium.Cartesian2(x, y));
    if (hit instanceof Cesium.Cesium3DTileFeature) return [r.left + x, r.top + y, x, y];
  }
  throw new Error("no tile feature on the canvas");
}"""
BUILDING_COLOURS = (
    "window.twinBuildings.map((e) => e.polygon.material.color.getValue().toCssColorString())"
)
FIND_A_BUILDING_PIXEL = """() => {
  const v = window.twinViewer, r = v.canvas.getBoundingClientRect();
  for (let y = 10; y < r.height; y += 15) for (let x = 10; x < r.width; x += 15) {
    const hit = v.scene.pick(new Cesium.Cartesian2(x, y));
    if (hit && String(hit.id.id).startsWith("building-")) return [r.left + x, r.top + y];
  }
  throw new Error("no building on the canvas");
}"""


def local(url: str, server: str) -> bool:
    return url.startswith((server, "data:", "blob:"))
