// The 3D twin of one town: CesiumJS offline (NaturalEarthII imagery shipped with Cesium),
// buildings from the CIM API — extruded entities for small towns, 3D Tiles (batched glTF with
// per-building metadata) above TILES_THRESHOLD buildings or with ?tiles=1 — lifelines as lines
// coloured by kind, damage or service (lifelines.js), facilities as points, run result layers,
// and time-dynamic CZML layers on Cesium's clock.
/* global Cesium */
import { setupLifelines } from "./lifelines.js";
import { setupTimeLayers } from "./timelayers.js";

const TILES_THRESHOLD = 3000;
const config = JSON.parse(document.getElementById("town-config").textContent);
const text = document.getElementById("i18n").dataset;
const statusLine = document.getElementById("status");
const palette = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
];
const timings = { start: performance.now() };
window.twinTimings = timings;  // for bench/bench_first_render.py

const viewer = new Cesium.Viewer("globe", {
  baseLayer: Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
  baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
  navigationHelpButton: false, fullscreenButton: false, infoBox: false, timeline: true,
  animation: true, selectionIndicator: true, shouldAnimate: false,
  contextOptions: { webgl: { preserveDrawingBuffer: true } },
});
viewer.scene.globe.depthTestAgainstTerrain = false;
viewer.timeline.container.style.display = "none";  // shown when a time layer is chosen
viewer.animation.container.style.display = "none";
viewer.forceResize();
window.twinViewer = viewer;  // for browser tests and the console

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} for ${url}`);
  return response.json();
}

async function fetchAll(url) {
  const features = [];
  let next = url;
  while (next) {
    const page = await getJson(next);
    features.push(...page.features);
    next = page.next;
  }
  return features;
}

const escapeHtml = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function showLegend(entries, target = "legend") {
  document.getElementById(target).innerHTML = entries
    .map(([v, c]) => `<div><span style="background:${c}"></span>${escapeHtml(v)}</div>`).join("");
}

const lifelines = setupLifelines({ viewer, config, text, getJson, fetchAll, showLegend });
window.twinNetworks = lifelines.collection;  // for bench/bench_first_render.py

// ---- buildings as entities (small towns) ----
const buildingEntities = [];
window.twinBuildings = buildingEntities;

function addBuilding(feature) {
  if (!feature.geometry) return;
  const polygons = feature.geometry.type === "MultiPolygon"
    ? feature.geometry.coordinates : [feature.geometry.coordinates];
  polygons.forEach((rings, i) => {
    const entity = viewer.entities.add({
      id: `building-${feature.id}-${i}`,
      polygon: {
        hierarchy: new Cesium.PolygonHierarchy(
          Cesium.Cartesian3.fromDegreesArray(rings[0].flat())),
        extrudedHeight: feature.properties.height_m || 3.0,
        height: 0,
      },
      properties: { ...feature.properties, building_id: feature.id, kind: "building" },
    });
    buildingEntities.push(entity);
  });
}

const entityBuildings = {
  colourBy(attribute) {
    const legend = new Map();
    for (const entity of buildingEntities) {
      const value = entity.properties[attribute]?.getValue() || text.unknown;
      if (!legend.has(value)) legend.set(value, palette[legend.size % palette.length]);
      entity.polygon.material = Cesium.Color.fromCssColorString(legend.get(value)).withAlpha(0.9);
    }
    showLegend([...legend.entries()]);
  },
  colourByValues(colourOf) {
    for (const entity of buildingEntities) {
      entity.polygon.material = colourOf(entity.properties.building_id.getValue());
    }
  },
};

// ---- buildings as 3D Tiles (large towns) ----
function tileBuildings(tileset) {
  const quote = (v) => `'${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return {
    colourBy(attribute) {
      const values = tileset.extras?.values?.[attribute] || [];
      const entries = values.map((v, i) => [v || text.unknown, palette[i % palette.length]]);
      const conditions = values.map((v, i) =>
        [`\${${attribute}} === ${quote(v)}`, `color('${entries[i][1]}', 0.9)`]);
      conditions.push(["true", "color('#aaaaaa', 0.9)"]);
      tileset.style = new Cesium.Cesium3DTileStyle({ color: { conditions } });
      showLegend(entries);
    },
    colourByValues(colourOf) {
      const style = new Cesium.Cesium3DTileStyle();
      style.color = {  // a per-feature colour map: no expression per building
        evaluateColor: (feature, result) =>
          Cesium.Color.clone(colourOf(feature.getProperty("building_id")), result),
      };
      tileset.style = style;
    },
  };
}

let buildings = entityBuildings;

async function loadBuildings() {
  const first = await getJson(`${config.api}buildings/?page_size=1`);
  const forced = new URLSearchParams(location.search).get("tiles");
  if (forced === "1" || (forced !== "0" && first.count > TILES_THRESHOLD)) {
    const tileset = await Cesium.Cesium3DTileset.fromUrl(`${config.api}tiles/tileset.json`);
    viewer.scene.primitives.add(tileset);
    window.twinTileset = tileset;
    tileset.initialTilesLoaded.addEventListener(() => { timings.tilesLoaded = performance.now(); });
    buildings = tileBuildings(tileset);
    return { count: tileset.extras.buildings, target: tileset, mode: ` (${text.tiles})` };
  }
  const features = first.count <= 1 ? first.features
    : await fetchAll(`${config.api}buildings/?page_size=10000`);
  features.forEach(addBuilding);
  // frame the buildings, not every network around them
  const target = buildingEntities.length ? buildingEntities : viewer.entities;
  return { count: features.length, target, mode: "" };
}

async function loadFacilities() {
  for (const facility of await fetchAll(`${config.api}facilities/?page_size=10000`)) {
    const [lon, lat] = facility.geometry.coordinates;
    viewer.entities.add({
      position: Cesium.Cartesian3.fromDegrees(lon, lat, 30),
      point: { pixelSize: 10, color: Cesium.Color.RED, outlineColor: Cesium.Color.WHITE, outlineWidth: 2 },
      properties: { ...facility.properties, kind: facility.properties.kind },
    });
  }
}

function showRows(pairs) {
  const rows = pairs
    .filter(([, v]) => v !== null && v !== undefined && v !== "" && v !== -1 && typeof v !== "object")
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="attr-${escapeHtml(k)}">${escapeHtml(v)}</td></tr>`)
    .join("");
  document.getElementById("info").innerHTML = `<table id="attributes">${rows}</table>`;
}

function showInfo(entity) {
  if (!entity || !entity.properties) {
    document.getElementById("info").innerHTML = `<p>${escapeHtml(text.nothing)}</p>`;
    return;
  }
  showRows(entity.properties.propertyNames.map((n) => [n, entity.properties[n].getValue()]));
}

function showFeature(feature) {  // a building of the tileset: its metadata row
  viewer.selectedEntity = undefined;
  showRows([["kind", "building"], ...feature.getPropertyIds().map((n) => [n, feature.getProperty(n)])]);
}

viewer.selectedEntityChanged.addEventListener(showInfo);

async function main() {
  const loaded = await loadBuildings();
  buildings.colourBy(document.getElementById("layer").value);
  timings.buildings = performance.now();
  await Promise.all([lifelines.load(), loadFacilities()]);
  await viewer.zoomTo(loaded.target);
  timings.ready = performance.now();
  statusLine.textContent = `${loaded.count} ${text.loaded}${loaded.mode}`;
  await offerLatestRun();
  document.body.dataset.ready = "1";
}

async function offerLatestRun() {  // reopening a town shows its last finished run's layers
  const runs = await getJson(`${config.api}runs/`);
  const latest = (runs.results || runs).find((run) => run.status === "succeeded");
  if (latest) await runFinished(latest.id);
}
main().catch((error) => {
  statusLine.textContent = `${text.failed} ${error.message}`;
  document.body.dataset.ready = "error";
});

// ---- scenario runs: launch, live progress (websocket), result layers ----
let epicentre = null;
const runLayers = {};
const csrf = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];

const clickHandler = new Cesium.ScreenSpaceEventHandler(viewer.scene.canvas);
clickHandler.setInputAction((movement) => {
  const picked = viewer.scene.pick(movement.position);
  if (picked instanceof Cesium.Cesium3DTileFeature) { showFeature(picked); return; }
  if (picked?.id?.twinProperties) { showRows(lifelines.rows(picked.id)); return; }
  if (picked) return;  // picking an entity selects it
  const cartesian = viewer.camera.pickEllipsoid(movement.position);
  if (!cartesian) return;
  const c = Cesium.Cartographic.fromCartesian(cartesian);
  setEpicentre(Cesium.Math.toDegrees(c.longitude), Cesium.Math.toDegrees(c.latitude));
}, Cesium.ScreenSpaceEventType.LEFT_CLICK);

function setEpicentre(lon, lat) {
  epicentre = [lon, lat];
  document.getElementById("epicentre").textContent = `${lat.toFixed(4)}° N, ${lon.toFixed(4)}° E`;
  viewer.entities.removeById("epicentre");
  viewer.entities.add({ id: "epicentre", position: Cesium.Cartesian3.fromDegrees(lon, lat),
    point: { pixelSize: 14, color: Cesium.Color.YELLOW, outlineColor: Cesium.Color.BLACK, outlineWidth: 2 } });
}
window.setEpicentre = setEpicentre;

async function postJson(url, body) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: body ? JSON.stringify(body) : undefined });
  const data = await response.json();
  if (!response.ok) throw new Error(Object.entries(data).map(([k, v]) => `${k}: ${v}`).join("; "));
  return data;
}

document.getElementById("scenario-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const runStatus = document.getElementById("run-status");
  if (!epicentre) { runStatus.textContent = text.setEpicentre; return; }
  try {
    const scenario = await postJson(`${config.api}scenarios/`, {
      name: `M${document.getElementById("magnitude").value} dashboard scenario`,
      epicentre: { type: "Point", coordinates: epicentre },
      magnitude: Number(document.getElementById("magnitude").value),
      depth_km: Number(document.getElementById("depth").value),
      gmpe: document.getElementById("gmpe").value,
      realisations: Number(document.getElementById("realisations").value),
    });
    const run = await postJson(`${config.api}scenarios/${scenario.id}/runs/`);
    watchRun(run.id);
  } catch (error) {
    runStatus.textContent = `${text.notStarted} ${error.message}`;
  }
});

function watchRun(runId) {
  const bar = document.getElementById("run-progress");
  const runStatus = document.getElementById("run-status");
  bar.hidden = false;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/towns/${config.slug}/runs/${runId}/`);
  socket.onmessage = (message) => {
    const state = JSON.parse(message.data);
    bar.value = state.progress;
    runStatus.textContent = `${text.run} ${runId}: ${state.status} ${state.step} ${Math.round(state.progress * 100)} %`;
    runStatus.dataset.status = state.status;
    if (state.status === "succeeded") runFinished(runId);
    if (state.status === "failed") runStatus.textContent += ` — ${state.error}`;
  };
}

async function runFinished(runId) {
  for (const option of document.querySelectorAll("option[value^='run:']")) {
    const layer = option.value.slice(4);
    const response = await fetch(`${config.api}runs/${runId}/layers/${layer}/`, { credentials: "same-origin" });
    if (response.ok) { runLayers[layer] = (await response.json()).values; option.disabled = false; }
  }
  document.getElementById("report-pdf").href = `${config.api}runs/${runId}/report/pdf/`;
  document.getElementById("report-html").href = `${config.api}runs/${runId}/report/html/`;
  document.getElementById("run-report").hidden = false;
  await lifelines.offer(runId);
  await timeLayers.offer(runId);
}

const layerScales = { damage: [0, 5], collapse: [0, 1], stars: [0, 3] };
function colourByRun(layer) {
  const values = runLayers[layer];
  const [low, high] = layerScales[layer];
  buildings.colourByValues((id) => {
    const value = values[id];
    const t = value === undefined ? 0 : (value - low) / (high - low);
    const shade = layer === "stars" ? 1 - t : t;  // more stars = greener
    return Cesium.Color.fromHsl((1 - shade) / 3, 0.9, 0.5, 0.9);
  });
  showLegend([[layer === "stars" ? "3 ★" : text.low, "hsl(120,90%,50%)"],
    [layer === "stars" ? "0 ★" : text.high, "hsl(0,90%,50%)"]]);
}

document.getElementById("layer").addEventListener("change", (e) => {
  if (e.target.value.startsWith("run:")) colourByRun(e.target.value.slice(4));
  else buildings.colourBy(e.target.value);
});

const timeLayers = setupTimeLayers({ viewer, config, text, getJson });
