// The drill console: CesiumJS offline (NaturalEarthII imagery shipped with Cesium, no Ion),
// the town's buildings and roads, evacuation routes and shelter loads of the plan in force,
// an inject form (click a building or a road on the globe), the timeline, plan and report.
/* global Cesium */
const config = JSON.parse(document.getElementById("drill-config").textContent);
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

const viewer = new Cesium.Viewer("globe", {
  baseLayer: Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
  baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
  navigationHelpButton: false, fullscreenButton: false, infoBox: false, timeline: false,
  animation: false, selectionIndicator: false,
  contextOptions: { webgl: { preserveDrawingBuffer: true } },
});
viewer.scene.globe.depthTestAgainstTerrain = false;
window.drillViewer = viewer;
const plan = new Cesium.CustomDataSource("plan");
viewer.dataSources.add(plan);

const csrf = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];
async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} for ${url}`);
  return response.json();
}
async function send(method, url, body) {
  const response = await fetch(url, { method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? {} : await response.json();
  if (!response.ok) {
    throw new Error(Object.entries(data).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; "));
  }
  return data;
}
async function fetchAll(url) {
  const items = [];
  for (let next = url; next;) {
    const page = await getJson(next);
    items.push(...(page.features || page.results || page));
    next = page.next;
  }
  return items;
}

// ---- the town: buildings, roads, facilities ----
async function loadTown() {
  for (const f of await fetchAll(`${config.api}buildings/?page_size=10000`)) {
    if (!f.geometry) continue;
    const polygons = f.geometry.type === "MultiPolygon" ? f.geometry.coordinates : [f.geometry.coordinates];
    polygons.forEach((rings, i) => viewer.entities.add({
      id: `building-${f.id}-${i}`,
      polygon: { hierarchy: new Cesium.PolygonHierarchy(Cesium.Cartesian3.fromDegreesArray(rings[0].flat())),
        extrudedHeight: f.properties.height_m || 3.0, height: 0,
        material: Cesium.Color.LIGHTSLATEGRAY.withAlpha(0.9) },
      properties: { kind: "building", pk: f.id, label: f.properties.name || `building ${f.id}` },
    }));
  }
  for (const network of await fetchAll(`${config.api}networks/`)) {
    if (network.kind !== "road") continue;
    for (const link of await fetchAll(`${config.api}networks/${network.id}/links/?page_size=10000`)) {
      viewer.entities.add({
        id: `road-${link.id}`,
        polyline: { positions: Cesium.Cartesian3.fromDegreesArray(link.geometry.coordinates.flat()),
          width: 4, material: Cesium.Color.DIMGRAY },
        properties: { kind: "road", pk: link.id, label: link.properties.key },
      });
    }
  }
  const hospitals = $("inject-hospital");
  for (const f of await fetchAll(`${config.api}facilities/?page_size=10000`)) {
    if (f.properties.kind === "hospital") {
      hospitals.insertAdjacentHTML("beforeend", `<option value="${f.id}">${esc(f.properties.name)}</option>`);
    }
  }
}

// ---- picking a building or a road for an inject ----
let target = null;
window.drillTarget = () => target;
const picker = new Cesium.ScreenSpaceEventHandler(viewer.scene.canvas);
picker.setInputAction((click) => {
  const hit = viewer.scene.drillPick(click.position)
    .map((p) => p.id).find((e) => e && /^(road|building)-/.test(String(e.id)));
  if (!hit) return;
  const kind = hit.properties.kind.getValue();
  target = { kind, pk: hit.properties.pk.getValue(), label: hit.properties.label.getValue() };
  $("inject-kind").value = kind === "road" ? "road_closure" : "ignition";
  showFields();
  $("inject-target").textContent = `${kind} ${target.label}`;
  $("inject-target").dataset.pk = target.pk;
}, Cesium.ScreenSpaceEventType.LEFT_CLICK);

function showFields() {
  const kind = $("inject-kind").value;
  for (const span of document.querySelectorAll("#inject-form [data-for]")) {
    span.hidden = !span.dataset.for.split(" ").includes(kind);
  }
}
$("inject-kind").addEventListener("change", showFields);

// ---- drills ----
let drillId = config.drill;
const drillUrl = () => `${config.api}drills/${drillId}/`;

async function loadDrills() {
  const drills = await fetchAll(`${config.api}drills/`);
  const runs = (await fetchAll(`${config.api}runs/`)).filter((r) => r.status === "succeeded");
  $("run-select").innerHTML = runs.map((r) => `<option value="${r.id}">run ${r.id}</option>`).join("");
  $("drill-select").innerHTML = drills.map((d) => `<option value="${d.id}">${esc(d.name)} (${d.status})</option>`).join("");
  if (!drillId && drills.length) drillId = String(drills[0].id);
  $("drill-select").value = drillId;
  if (drillId) await showOutcome(); else $("drill-status").textContent = runs.length
    ? "No drill yet: create one from a run. 请基于一次计算新建演练。"
    : "No succeeded run yet: launch one from the town view first. 请先在城镇页面运行情景。";
}

const minutes = (s) => Math.round(s / 60);
let rendered = 0;

async function showOutcome() {
  const [drill, outcome] = await Promise.all([getJson(drillUrl()), getJson(`${drillUrl()}outcome/`)]);
  $("drill-status").textContent =
    `${drill.name}: ${drill.status} · T+${minutes(drill.clock_s)} min · run ${drill.run}`;
  $("drill-status").dataset.status = drill.status;
  $("inject-time").min = minutes(drill.status === "planned" ? drill.start_s : drill.clock_s);
  $("inject-time").value = Math.ceil(drill.clock_s / 60);
  $("advance-to").value = Math.ceil(drill.clock_s / 60) + 10;
  renderTimeline(outcome);
  renderPlan(outcome.plan);
  renderFacilities(outcome.facilities);
  renderAar(outcome.after_action);
  drawRoutes(outcome.routes, outcome.facilities);
  rendered += 1;
  document.body.dataset.outcome = String(rendered);
}

function renderTimeline(outcome) {
  const applied = outcome.timeline.map((t) => `<li class="applied">T+${minutes(t.time_s)} min ${esc(t.log)} — ` +
    `${t.evacuees} to evacuate, ${t.evacuees_without_place} without a place</li>`);
  const pending = outcome.pending.map((i) => `<li class="pending">T+${minutes(i.time_s)} min ${i.kind}` +
    ` ${esc(i.label ?? (i.magnitude !== null ? `M${i.magnitude}` : ""))} (pending · 待发生)` +
    ` <button data-remove="${i.id}">remove · 删除</button></li>`);
  $("timeline").innerHTML = [...applied, ...pending].join("");
}

function renderPlan(p) {
  $("plan-en").innerHTML = p.text_en.map((l) => `<li>${esc(l)}</li>`).join("") || "<li>Nothing to do.</li>";
  $("plan-zh").innerHTML = p.text_zh.map((l) => `<li>${esc(l)}</li>`).join("") || "<li>无需行动。</li>";
  $("rescue").innerHTML = "<tr><th>team</th><th>building</th><th>trapped</th><th>alive (exp.)</th><th>hours</th></tr>" +
    p.rescue.tasks.map((t) => `<tr><td>${t.team + 1}</td><td>${esc(t.building_id)}</td><td>${t.trapped}</td>` +
      `<td>${t.expected_alive.toFixed(1)}</td><td>${t.start_h.toFixed(1)}–${t.end_h.toFixed(1)}</td></tr>`).join("");
}

function renderFacilities(fc) {
  const rows = (kind) => fc.features.filter((f) => f.properties.kind === kind).map((f) => f.properties);
  $("shelters").innerHTML = "<tr><th>shelter</th><th>load</th><th>capacity</th><th>initial</th></tr>" +
    rows("shelter").map((s) => `<tr class="shelter" data-name="${esc(s.name)}"><td>${esc(s.name)}</td>` +
      `<td class="load">${s.load}</td><td>${s.capacity}</td><td>${s.initial_load}</td></tr>`).join("");
  $("hospitals").innerHTML = "<tr><th>hospital</th><th>casualties</th><th>beds now</th><th>beds</th></tr>" +
    rows("hospital").map((h) => `<tr><td>${esc(h.name)}</td><td>${h.load}</td><td>${h.beds_available ?? ""}</td>` +
      `<td>${h.capacity}</td></tr>`).join("");
}

function renderAar(aar) {
  $("aar").innerHTML = "<tr><th>quantity · 指标</th><th>plan</th><th>outcome</th><th>Δ</th></tr>" +
    aar.items.map((i) => `<tr><td>${esc(i.note_en)} · ${esc(i.note_zh)}</td><td>${+i.planned.toFixed(1)}</td>` +
      `<td>${+i.outcome.toFixed(1)}</td><td>${+i.delta.toFixed(1)}</td></tr>`).join("") +
    (aar.reassigned_buildings.length ? `<tr><td colspan="4">re-routed buildings: ${aar.reassigned_buildings.join(", ")}</td></tr>` : "");
}

function drawRoutes(routes, facilities) {
  plan.entities.removeAll();
  for (const [i, f] of routes.features.entries()) {
    const evacuate = f.properties.kind === "evacuate";
    plan.entities.add({
      id: `route-${i}`,
      polyline: { positions: Cesium.Cartesian3.fromDegreesArrayHeights(
        f.geometry.coordinates.flatMap(([lon, lat]) => [lon, lat, 4])),
      width: evacuate ? 6 : 4,
      material: evacuate ? Cesium.Color.ORANGE : Cesium.Color.MAGENTA },
      properties: { kind: "route", ...f.properties },
    });
  }
  for (const f of facilities.features) {
    const p = f.properties;
    const share = p.capacity ? p.load / p.capacity : 0;
    plan.entities.add({
      id: `facility-${p.id}`,
      position: Cesium.Cartesian3.fromDegrees(...f.geometry.coordinates, 20),
      point: { pixelSize: 10 + 20 * Math.min(share, 1),
        color: p.kind === "shelter" ? Cesium.Color.LIMEGREEN : Cesium.Color.RED,
        outlineColor: Cesium.Color.WHITE, outlineWidth: 2 },
      label: { text: `${p.name} ${p.load}/${p.capacity}`, font: "14px sans-serif",
        pixelOffset: new Cesium.Cartesian2(0, -22), fillColor: Cesium.Color.WHITE,
        outlineColor: Cesium.Color.BLACK, outlineWidth: 3, style: Cesium.LabelStyle.FILL_AND_OUTLINE },
    });
  }
}

// ---- actions ----
async function act(work) {
  $("inject-error").textContent = "";
  try { await work(); await showOutcome(); } catch (error) { $("inject-error").textContent = error.message; }
}
$("drill-select").addEventListener("change", (e) => { drillId = e.target.value; act(async () => {}); });
$("new-drill").addEventListener("submit", (e) => {
  e.preventDefault();
  act(async () => {
    const drill = await send("POST", `${config.api}drills/`, { run: Number($("run-select").value) });
    drillId = String(drill.id);
    $("drill-select").insertAdjacentHTML("afterbegin", `<option value="${drill.id}">${esc(drill.name)}</option>`);
    $("drill-select").value = drillId;
  });
});
$("inject-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const kind = $("inject-kind").value;
  const body = { kind, time_s: Number($("inject-time").value) * 60 };
  if (kind === "aftershock") body.magnitude = Number($("inject-magnitude").value);
  if (kind === "hospital_power_loss") body.hospital = Number($("inject-hospital").value);
  const wanted = { ignition: "building", road_closure: "road" }[kind];
  if (wanted) {
    if (!target || target.kind !== wanted) {
      $("inject-error").textContent = `Click a ${wanted} on the globe first. 请先在地球上点击${wanted === "road" ? "道路" : "建筑"}。`;
      return;
    }
    body[wanted] = target.pk;
  }
  act(() => send("POST", `${drillUrl()}injects/`, body));
});
$("advance").addEventListener("click", () =>
  act(() => send("POST", `${drillUrl()}advance/`, { until_s: Number($("advance-to").value) * 60 })));
$("run-drill").addEventListener("click", () => act(() => send("POST", `${drillUrl()}run/`)));
$("timeline").addEventListener("click", (e) => {
  const id = e.target.dataset.remove;
  if (id) act(() => send("DELETE", `${drillUrl()}injects/${id}/`));
});

async function main() {
  showFields();
  await loadTown();
  await viewer.zoomTo(viewer.entities);
  await loadDrills();
  document.body.dataset.ready = "1";
}
main().catch((error) => {
  $("drill-status").textContent = `could not load the drill console: ${error.message}`;
  document.body.dataset.ready = "error";
});
