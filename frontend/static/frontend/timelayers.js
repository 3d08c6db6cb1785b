// Time-dynamic layers of a finished run (fire spread, chemical threat zones, lifeline service
// loss and recovery): CZML from /api/towns/<slug>/runs/<id>/czml/<layer>/ on Cesium's clock,
// with the animation widget and the timeline shown while a layer is on.
/* global Cesium */

export function setupTimeLayers({ viewer, config, text, getJson }) {
  const select = document.getElementById("time-layer");
  const readout = document.getElementById("time-readout");
  let runId = null;
  let source = null;
  let share = null;

  function showWidgets(visible) {
    const display = visible ? "" : "none";
    viewer.timeline.container.style.display = display;
    viewer.animation.container.style.display = display;
    viewer.forceResize();  // the globe gives the timeline its strip, or takes it back
    viewer.clock.shouldAnimate = visible;
  }

  function elapsed(seconds) {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return `${d ? `${d} d ` : ""}${h} h ${String(m).padStart(2, "0")} min ${text.elapsed}`;
  }

  viewer.clock.onTick.addEventListener((clock) => {
    if (!source) return;
    const seconds = Cesium.JulianDate.secondsDifference(clock.currentTime, source.clock.startTime);
    let line = elapsed(Math.max(0, seconds));
    if (share) {
      const q = share.getValue(clock.currentTime);
      if (q !== undefined) line += ` · ${text.served} ${Math.round(q * 100)} %`;
    }
    if (readout.textContent !== line) readout.textContent = line;
  });

  async function show(layer) {
    if (source) { viewer.dataSources.remove(source, true); source = null; share = null; }
    readout.textContent = "";
    select.dataset.loaded = "";
    if (!layer) { showWidgets(false); return; }
    const packets = await getJson(`${config.api}runs/${runId}/czml/${layer}/`);
    source = await Cesium.CzmlDataSource.load(packets);
    await viewer.dataSources.add(source);
    viewer.clockTrackedDataSource = source;
    share = source.entities.getById(`${layer}-share`)?.properties?.service_share ?? null;
    viewer.timeline.zoomTo(source.clock.startTime, source.clock.stopTime);
    viewer.clock.currentTime = source.clock.startTime.clone();
    showWidgets(true);
    select.dataset.loaded = layer;
  }

  select.addEventListener("change", (e) => {
    show(e.target.value).catch((error) => { readout.textContent = error.message; });
  });

  return {
    async offer(id) {
      runId = id;
      const { layers } = await getJson(`${config.api}runs/${id}/czml/`);
      for (const option of select.options) {
        if (option.value) option.disabled = !layers.includes(option.value);
      }
      document.getElementById("time-layers").hidden = layers.length === 0;
      if (select.value) await show(select.value);
    },
  };
}
