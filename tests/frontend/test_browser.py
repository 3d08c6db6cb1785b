"""The town twin in a real browser: Debian Chromium driven by Playwright, WebGL by SwiftShader.

Log in → open a town → the globe renders the buildings → click one and read its attributes →
switch the colour layer → colour the lifelines by a run's damage and service → log out; no
console errors and no request leaves the test server (``watched_page``).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
from matplotlib.image import imread
from playwright.sync_api import Page

from tests.frontend.conftest import BROWSER_TESTS, SCREENSHOTS, run_scenario

pytestmark = BROWSER_TESTS


def canvas_pixels(page: Page) -> np.ndarray:
    png = page.locator("#globe .cesium-widget canvas").screenshot()  # not the timeline's
    return imread(BytesIO(png))[..., :3]


def test_town_twin_in_the_browser(watched_page: Page) -> None:
    page = watched_page
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


def test_town_as_3d_tiles_in_the_browser(watched_page: Page, deployment: str) -> None:
    """The large-town path (forced with ?tiles=1): pick a tile feature, style by attribute and
    by the last run's damage (runs after the test above, which leaves a finished run)."""
    page = watched_page
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


def test_lifelines_coloured_by_a_runs_damage_and_service(
    watched_page: Page, deployment: str
) -> None:
    """A strong earthquake under the town: debris blocks the roads at the buildings' hub and
    leaves the outer roads open. The batched lines take the colour of each link's damage
    state and service share from the run's lifeline layer, as the GPU batch holds them."""
    page = watched_page
    run = run_scenario(
        page,
        name="under the town",
        magnitude=7.5,
        epicentre=(103.619, 30.9964),
        depth_km=8,
        realisations=5,
    )
    assert run["status"] == "succeeded", run
    page.goto(f"{deployment}/towns/demo/")
    page.wait_for_function("document.body && document.body.dataset.ready", timeout=180_000)
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("#status")
    layer = page.evaluate(
        f"async () => (await fetch('/api/towns/demo/runs/{run['id']}/lifelines/')).json()"
    )
    links = layer["links"]
    assert layer["networks"]["road"] == {
        "links": 6,
        "damage_realisations": 5,
        "service_realisations": 5,
    }

    page.select_option("#lifeline-layer", "damage")
    page.wait_for_selector("#lifeline-layer[data-painted=damage]", timeout=30_000)
    colours = page.evaluate("window.twinLinks.colours()")
    palette = page.evaluate("window.twinLinks.damageColours")
    assert colours.keys() == links.keys()
    for link_id, result in links.items():
        level = result["damage_level"] if result["damage_level"] is not None else -1
        assert colours[link_id] == palette[str(level)], (result, colours[link_id])
    assert len(set(colours.values())) >= 2, layer
    assert "break / blocked / out of service" in page.inner_text("#lifeline-legend")
    page.evaluate(SHOW_THE_ROADS)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(SCREENSHOTS / "town-lifelines.png"))

    x, y = page.evaluate(LINE_PIXEL, "w1-w2")  # an outer road, away from buildings
    page.mouse.click(x, y)
    page.wait_for_selector("#attributes .attr-damage_state", timeout=30_000)
    outer = next(r for r in links.values() if r["key"] == "w1-w2")
    assert page.inner_text("#attributes .attr-key") == "w1-w2"
    assert page.inner_text("#attributes .attr-damage_state") == outer["damage_state"]

    page.select_option("#lifeline-layer", "service")
    page.wait_for_selector("#lifeline-layer[data-painted=service]", timeout=30_000)
    colours = page.evaluate("window.twinLinks.colours()")
    expected = page.evaluate(SERVICE_COLOURS, layer)
    assert colours == expected
    shares = {r["served_share"] for r in links.values()}
    assert len(set(colours.values())) == len(shares) >= 2, shares
    page.select_option("#lifeline-layer", "kind")
    page.wait_for_selector("#lifeline-layer[data-painted=kind]", timeout=30_000)
    assert set(page.evaluate("window.twinLinks.colours()").values()) == {"#444444"}  # roads


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


SHOW_THE_ROADS = """() => {  // look down on the whole road network
  const v = window.twinViewer;
  v.camera.setView({ destination: Cesium.Cartesian3.fromDegrees(103.6169, 30.9985, 2600) });
  v.scene.requestRender();
}"""
LINE_PIXEL = """async (key) => {  // the window position of the middle of a road link
  const nets = await (await fetch("/api/towns/demo/networks/")).json();
  const road = (nets.results || nets).find((n) => n.kind === "road");
  const links = await (await fetch(`/api/towns/demo/networks/${road.id}/links/`)).json();
  const [a, b] = links.features.find((f) => f.properties.key === key).geometry.coordinates;
  const v = window.twinViewer, r = v.canvas.getBoundingClientRect();
  const mid = Cesium.Cartesian3.fromDegrees((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0);
  const p = Cesium.SceneTransforms.worldToWindowCoordinates(v.scene, mid);
  return [r.left + p.x, r.top + p.y];
}"""
SERVICE_COLOURS = """(layer) => Object.fromEntries(Object.entries(layer.links).map(([id, r]) =>
  [id, window.twinLinks.serviceColour(r.served_share).toCssHexString()]))"""
