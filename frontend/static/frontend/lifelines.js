// Lifeline networks as lines: one batched primitive per network (thousands of polyline entities
// stall large towns), coloured by network kind, or — once a run has finished — by each link's
// damage state or day-0 service share (/api/towns/<slug>/runs/<id>/lifelines/) through the
// per-instance colour attribute of its geometry instance. Clicking a line shows its attributes
// and, with a run, its results.
/* global Cesium */

const KIND_COLOURS = { water: "#1e90ff", gas: "#ffb000", power: "#d000d0", road: "#444444",
  heating: "#ff4500", drainage: "#2e8b57" };
// damage level 0..2 (intact/open, leak/slowed/damaged, break/blocked/out of service); -1 none
const DAMAGE_COLOURS = { 0: "#2ca02c", 1: "#ff9900", 2: "#d62728", [-1]: "#9a9a9a" };
const NOT_ASSESSED = "#9a9a9a";

export function setupLifelines({ viewer, config, text, getJson, fetchAll, showLegend }) {
  const collection = new Cesium.PrimitiveCollection();
  viewer.scene.primitives.add(collection);
  const select = document.getElementById("lifeline-layer");
  const lines = [];  // { id, kind, primitive, instanceId }
  let results = null;  // the run's per-link layer

  async function load() {
    const networks = await getJson(`${config.api}networks/`);
    for (const network of networks.results || networks) {
      const links = await fetchAll(`${config.api}networks/${network.id}/links/?page_size=10000`);
      const colour = Cesium.ColorGeometryInstanceAttribute.fromColor(kindColour(network.kind));
      const drawn = links.filter((link) => link.geometry);
      const instanceIds = drawn.map((link) => ({ linkId: link.id,
        twinProperties: { ...link.properties, kind: `${network.kind} link`, network: network.name } }));
      const instances = drawn.map((link, i) => new Cesium.GeometryInstance({
        geometry: new Cesium.PolylineGeometry({
          positions: Cesium.Cartesian3.fromDegreesArray(link.geometry.coordinates.flat()),
          width: 2, vertexFormat: Cesium.PolylineColorAppearance.VERTEX_FORMAT }),
        attributes: { color: colour },
        id: instanceIds[i],
      }));
      if (!instances.length) continue;
      const primitive = collection.add(new Cesium.Primitive({
        geometryInstances: instances, appearance: new Cesium.PolylineColorAppearance() }));
      instanceIds.forEach((instanceId) =>
        lines.push({ id: instanceId.linkId, kind: network.kind, primitive, instanceId }));
    }
    showKindLegend();
  }

  function kindColour(kind) {
    return Cesium.Color.fromCssColorString(KIND_COLOURS[kind] || "#000000");
  }

  function whenReady(primitive) {  // per-instance attributes exist once the workers built it
    if (primitive.ready) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = viewer.scene.postRender.addEventListener(() => {
        if (primitive.ready) { stop(); resolve(); }
      });
    });
  }

  async function paint(colourOf) {
    await Promise.all([...new Set(lines.map((line) => line.primitive))].map(whenReady));
    for (const line of lines) {
      const attributes = line.primitive.getGeometryInstanceAttributes(line.instanceId);
      attributes.color = Cesium.ColorGeometryInstanceAttribute.toValue(colourOf(line), attributes.color);
    }
    viewer.scene.requestRender();
  }

  function serviceColour(share) {  // red (never in service) → green (in every realisation)
    return Cesium.Color.fromHsl(share / 3, 0.9, 0.45, 1.0);
  }

  const modes = {
    kind: { colour: (line) => kindColour(line.kind), legend: showKindLegend },
    damage: {
      colour: (line) => Cesium.Color.fromCssColorString(
        DAMAGE_COLOURS[results.links[line.id]?.damage_level ?? -1]),
      legend: () => showLegend([[text.linkIntact, DAMAGE_COLOURS[0]],
        [text.linkDamaged, DAMAGE_COLOURS[1]], [text.linkBroken, DAMAGE_COLOURS[2]],
        [text.notAssessed, NOT_ASSESSED]], "lifeline-legend"),
    },
    service: {
      colour: (line) => {
        const share = results.links[line.id]?.served_share;
        return share === null || share === undefined
          ? Cesium.Color.fromCssColorString(NOT_ASSESSED) : serviceColour(share);
      },
      legend: () => showLegend([[text.linkServedAlways, serviceColour(1).toCssHexString()],
        [text.linkServedHalf, serviceColour(0.5).toCssHexString()],
        [text.linkServedNever, serviceColour(0).toCssHexString()],
        [text.notAssessed, NOT_ASSESSED]], "lifeline-legend"),
    },
  };

  function showKindLegend() {
    const kinds = [...new Set(lines.map((line) => line.kind))];
    showLegend(kinds.map((kind) => [kind, KIND_COLOURS[kind] || "#000000"]), "lifeline-legend");
  }

  async function colourBy(mode) {
    const shown = results ? mode : "kind";  // damage and service need a run's results
    await paint(modes[shown].colour);
    modes[shown].legend();
    select.dataset.painted = shown;
  }

  select.addEventListener("change", (e) => {
    colourBy(e.target.value).catch((error) => { select.title = error.message; });
  });

  function percent(share) { return `${Math.round(share * 100)} %`; }

  window.twinLinks = {  // for browser tests and the console: colours as the GPU batch holds them
    colours() {
      return Object.fromEntries(lines.map((line) => {
        const [r, g, b] = line.primitive.getGeometryInstanceAttributes(line.instanceId).color;
        return [line.id, Cesium.Color.fromBytes(r, g, b).toCssHexString()];
      }));
    },
    damageColours: DAMAGE_COLOURS,
    serviceColour,
  };

  return {
    collection,
    load,
    // a finished run: its link results, and the damage / service choices when it has them
    async offer(runId) {
      const response = await fetch(`${config.api}runs/${runId}/lifelines/`, { credentials: "same-origin" });
      const body = await response.json();
      results = response.ok ? body : null;
      const networks = Object.values(results?.networks || {});
      for (const option of select.options) {
        if (option.value === "damage") option.disabled = !networks.some((n) => n.damage_realisations);
        if (option.value === "service") option.disabled = !networks.some((n) => n.service_realisations);
      }
      select.title = response.ok ? "" : body.detail || "";  // why damage and service are off
      if (select.options[select.selectedIndex].disabled) select.value = "kind";
      await colourBy(select.value);
    },
    // the rows a clicked line shows: its attributes, then its results in the run
    rows(instanceId) {
      const rows = Object.entries(instanceId.twinProperties);
      const result = results?.links[instanceId.linkId];
      if (!result) return rows;
      if (result.damage_state) {
        rows.push(["damage_state", result.damage_state]);
        rows.push(["damage_shares", result.damage_shares.map(percent).join(" / ")]);
      }
      if (result.served_share !== null) rows.push(["served_share_day0", percent(result.served_share)]);
      return rows;
    },
  };
}
