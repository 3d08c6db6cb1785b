// Scorecard, ranking and what-if charts as inline SVG (no libraries, no outside requests).
"use strict";
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const GRADE_COLOURS = { A: "#1a9850", B: "#91cf60", C: "#fee08b", D: "#fc8d59", E: "#d73027" };
  const ROW = 20, LABEL = 230, WIDTH = 720;

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Bars from 0 to 100 (scores) or centred on zero (signed changes).
  function bars(svg, items, signed) {
    const span = WIDTH - LABEL - 60;
    const max = signed ? Math.max(1e-9, ...items.map((i) => Math.abs(i.value))) : 100;
    const zero = signed ? LABEL + span / 2 : LABEL;
    const scale = signed ? span / 2 / max : span / 100;
    svg.setAttribute("height", items.length * ROW + 10);
    items.forEach((item, k) => {
      const y = 5 + k * ROW;
      const w = Math.abs(item.value) * scale;
      const x = item.value < 0 ? zero - w : zero;
      svg.appendChild(el("text", { x: LABEL - 6, y: y + 14, "text-anchor": "end", "font-size": 12 }, item.label));
      svg.appendChild(el("rect", { x: x, y: y + 2, width: Math.max(w, 0.5), height: ROW - 6, fill: item.colour }));
      svg.appendChild(el("text", { x: x + w + 4, y: y + 14, "font-size": 11 }, item.value.toFixed(signed ? 3 : 1)));
    });
    if (signed) svg.appendChild(el("line", { x1: zero, x2: zero, y1: 0, y2: items.length * ROW + 10, stroke: "#333" }));
  }

  const card = data("score-data");
  if (card) {
    const items = [];
    (function walk(node, depth) {
      if (depth > 0 && node.children && node.applicable !== false) {
        items.push({ label: (depth > 1 ? "  " : "") + node.name_en, value: node.score, colour: GRADE_COLOURS[node.grade] });
      }
      (node.children || []).forEach((c) => walk(c, depth + 1));
    })(card.tree, 0);
    bars(document.getElementById("chart"), items, false);
  }
  const ranking = data("ranking-data");
  if (ranking) {
    bars(document.getElementById("ranking-chart"),
      ranking.map((e) => ({ label: e.rank + ". " + e.town, value: e.score, colour: GRADE_COLOURS[e.grade] })), false);
  }
  const diff = data("diff-data");
  if (diff) {
    bars(document.getElementById("diff-chart"),
      diff.filter((d) => d.delta_score !== 0).map((d) => ({
        label: d.node_id, value: d.delta_contribution, colour: d.delta_contribution >= 0 ? "#1a9850" : "#d73027",
      })), true);
  }
})();
