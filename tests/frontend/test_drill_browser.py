"""The drill console in a real browser: a run of the demo town, a drill on it, an ignition at a
clicked building, then a road closure on a clicked road moves the evacuees from S1 to S2.
Zero console errors; no request leaves the test server (``watched_page``)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.frontend.conftest import BROWSER_TESTS, SCREENSHOTS, run_scenario

pytestmark = BROWSER_TESTS
ROAD_PIXEL = """async (key) => {
  const nets = await (await fetch("/api/towns/demo/networks/")).json();
  const road = (nets.results || nets).find((n) => n.kind === "road");
  const links = await (await fetch(`/api/towns/demo/networks/${road.id}/links/`)).json();
  const link = links.features.find((f) => f.properties.key === key);
  const [a, b] = link.geometry.coordinates;
  const v = window.drillViewer, r = v.canvas.getBoundingClientRect();
  const mid = Cesium.Cartesian3.fromDegrees((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0);
  const p = Cesium.SceneTransforms.worldToWindowCoordinates(v.scene, mid);
  return [r.left + p.x, r.top + p.y];
}"""
BUILDING_PIXEL = """() => {
  const v = window.drillViewer, r = v.canvas.getBoundingClientRect();
  for (let y = 10; y < r.height; y += 12) for (let x = 10; x < r.width; x += 12) {
    const hit = v.scene.pick(new Cesium.Cartesian2(x, y));
    if (hit && String(hit.id.id).startsWith("building-")) return [r.left + x, r.top + y];
  }
  throw new Error("no building on the canvas");
}"""


def _wait_outcome(page: Page, after: int) -> int:
    page.wait_for_function(f"Number(document.body.dataset.outcome || 0) > {after}", timeout=60_000)
    return int(page.evaluate("Number(document.body.dataset.outcome)"))


def test_drill_console_road_closure_moves_evacuees(watched_page: Page, deployment: str) -> None:
    page = watched_page
    page.set_viewport_size({"width": 1400, "height": 900})
    run = run_scenario(
        page, name="drill base", magnitude=5.5, epicentre=(103.9, 31.2), depth_km=15, realisations=2
    )
    assert run["status"] == "succeeded", run

    page.goto(f"{deployment}/towns/demo/drill/")
    page.wait_for_function("document.body && document.body.dataset.ready", timeout=180_000)
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("#drill-status")
    page.click("#create-drill")
    seen = _wait_outcome(page, 0)
    assert page.get_attribute("#drill-status", "data-status") == "planned"
    page.wait_for_timeout(2000)

    x, y = page.evaluate(BUILDING_PIXEL)  # a new ignition at a clicked building
    page.mouse.click(x, y)
    page.wait_for_function("window.drillTarget() && window.drillTarget().kind === 'building'")
    page.fill("#inject-time", "1")
    page.click("#add-inject")
    seen = _wait_outcome(page, seen)
    assert "pending" in page.inner_text("#timeline")
    page.fill("#advance-to", "2")
    page.click("#advance")
    seen = _wait_outcome(page, seen)
    assert "to shelter shelter:S1" in page.inner_text("#plan-en")
    assert int(page.inner_text("tr.shelter[data-name=S1] .load")) > 0

    page.wait_for_timeout(1500)
    x, y = page.evaluate(ROAD_PIXEL, "hub-x1")  # the only road to S1
    page.mouse.click(x, y)
    page.wait_for_function("window.drillTarget() && window.drillTarget().kind === 'road'")
    assert "hub-x1" in page.inner_text("#inject-target")
    page.click("#add-inject")  # timed at the drill clock: applies now
    _wait_outcome(page, seen)
    plan = page.inner_text("#plan-en")
    assert "to shelter shelter:S2" in plan and "shelter:S1" not in plan, plan
    assert page.inner_text("tr.shelter[data-name=S1] .load") == "0"
    assert int(page.inner_text("tr.shelter[data-name=S2] .load")) > 0
    assert "road hub-x1 closed" in page.inner_text("#timeline")
    assert "避难场所shelter:S2" in page.inner_text("#plan-zh")
    assert page.locator("#aar tr").count() > 3
    # routes are polylines built asynchronously: wait until the globe shows them
    page.wait_for_function("window.drillViewer.dataSourceDisplay.ready", timeout=60_000)
    page.wait_for_timeout(3000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "drill-console.png"))
