// The 3D twin of one town: CesiumJS offline (NaturalEarthII imagery shipped with Cesium),
// buildings extruded from the CIM API, lifelines as lines, facilities as points.
/* global Cesium */
const config = JSON.parse(document.getElementById("town-config").textContent);
const statusLine = document.getElementById("status");
const palette = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
];
const networkColours = { water: "#1e90ff", gas: "#ffb000", power: "#d000d0", road: "#444444",
  heating: "#ff4500", drainage: "#2e8b57" };

const viewer = new Cesium.Viewer("globe", {
  baseLayer: Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
  baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: false,
  navigationHelpButton: false, fullscreenButton: false, infoBox: false, timeline: false,
  animation: false, selectionIndicator: true,
  contextOptions: { webgl: { preserveDrawingBuffer: true } },
});
viewer.scene.globe.depthTestAgainstTerrain = false;
window.twinViewer = viewer;  // for browser tests and the console

async function fetchAll(url) {
  const features = [];
  let next = url;
  while (next) {
    const response = await fetch(next, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status} for ${next}`);
    const page = await response.json();
    features.push(...page.features);
    next = page.next;
  }
  return features;
}

function colourFor(value, legend) {
  if (!legend.has(value)) legend.set(value, palette[legend.size % palette.length]);
  return Cesium.Color.fromCssColorString(legend.get(value));
}

const buildingEntities = [];
window.twinBuildings = buildingEntities;
function colourBuildings(attribute) {
  const legend = new Map();
  for (const entity of buildingEntities) {
    const value = entity.properties[attribute]?.getValue() || "unknown";
    entity.polygon.material = colourFor(value, legend).withAlpha(0.9);
  }
  document.getElementById("legend").innerHTML = [...legend.entries()]
    .map(([v, c]) => `<div><span style="background:${c}"></span>${v}</div>`).join("");
}

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

async function loadNetworks() {
  const response = await fetch(`${config.api}networks/`, { credentials: "same-origin" });
  const networks = await response.json();
  for (const network of networks.results || networks) {
    const links = await fetchAll(`${config.api}networks/${network.id}/links/?page_size=10000`);
    const colour = Cesium.Color.fromCssColorString(networkColours[network.kind] || "#000");
    for (const link of links) {
      viewer.entities.add({
        polyline: { positions: Cesium.Cartesian3.fromDegreesArray(link.geometry.coordinates.flat()),
          width: 2, material: colour, clampToGround: false },
        properties: { ...link.properties, kind: `${network.kind} link`, network: network.name },
      });
    }
  }
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

function showInfo(entity) {
  const info = document.getElementById("info");
  if (!entity || !entity.properties) { info.innerHTML = "<p>Nothing selected.</p>"; return; }
  const rows = entity.properties.propertyNames
    .map((name) => [name, entity.properties[name].getValue()])
    .filter(([, v]) => v !== null && v !== "" && typeof v !== "object")
    .map(([k, v]) => `<tr><th>${k}</th><td class="attr-${k}">${v}</td></tr>`).join("");
  info.innerHTML = `<table id="attributes">${rows}</table>`;
}

viewer.selectedEntityChanged.addEventListener(showInfo);
document.getElementById("layer").addEventListener("change", (e) => {
  if (!e.target.value.startsWith("run:")) colourBuildings(e.target.value);
});

async function main() {
  const buildings = await fetchAll(`${config.api}buildings/?page_size=10000`);
  buildings.forEach(addBuilding);
  colourBuildings(document.getElementById("layer").value);
  await Promise.all([loadNetworks(), loadFacilities()]);
  await viewer.zoomTo(viewer.entities);
  statusLine.textContent = `${buildings.length} buildings loaded`;
  document.body.dataset.ready = "1";
}
main().catch((error) => {
  statusLine.textContent = `could not load the town: ${error.message}`;
  document.body.dataset.ready = "error";
});

// ---- scenario runs: launch, live progress (websocket), result layers ----
let epicentre = null;
let runLayers = {};
const csrf = () => document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];

const clickHandler = new Cesium.ScreenSpaceEventHandler(viewer.scene.canvas);
clickHandler.setInputAction((movement) => {
  if (viewer.scene.pick(movement.position)) return;  // picking a building selects it
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
  if (!epicentre) { runStatus.textContent = "Set the epicentre first: click the globe."; return; }
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
    runStatus.textContent = `Not started: ${error.message}`;
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
    runStatus.textContent = `run ${runId}: ${state.status} ${state.step} ${Math.round(state.progress * 100)} %`;
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
}

const layerScales = { damage: [0, 5], collapse: [0, 1], stars: [0, 3] };
function colourByRun(layer) {
  const values = runLayers[layer];
  const [low, high] = layerScales[layer];
  for (const entity of buildingEntities) {
    const value = values[entity.properties.building_id.getValue()];
    const t = value === undefined ? 0 : (value - low) / (high - low);
    const shade = layer === "stars" ? 1 - t : t;  // more stars = greener
    entity.polygon.material = Cesium.Color.fromHsl((1 - shade) / 3, 0.9, 0.5, 0.9);
  }
  document.getElementById("legend").innerHTML =
    `<div><span style="background:hsl(120,90%,50%)"></span>${layer === "stars" ? "3 ★" : "none / low"}</div>` +
    `<div><span style="background:hsl(0,90%,50%)"></span>${layer === "stars" ? "0 ★" : "high"}</div>`;
}

document.getElementById("layer").addEventListener("change", (e) => {
  if (e.target.value.startsWith("run:")) colourByRun(e.target.value.slice(4));
});
