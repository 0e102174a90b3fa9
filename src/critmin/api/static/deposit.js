/* Deposit page: the shipped example's resource table and grade-tonnage curve. */
"use strict";

const DP = API + "/deposits/example";

function mt(v) { return v === null || v === undefined ? "—" : fmtNum(v / 1e6, 2); }

async function depositPage() {
  const status = document.getElementById("dp-status");
  const d = await getJSON(DP);
  const gu = d.grade_unit;
  const mu = d.metal_unit;
  const metal = d.metal_symbol || "metal";
  document.getElementById("dp-title").textContent = d.name;
  status.textContent = d.blocks_estimated.toLocaleString("en-US") + " blocks estimated; reporting cut-off " + d.reporting_cutoff + " " + gu + " " + metal;

  const rep = d.resource.filter((r) => Math.abs(r.cutoff - d.reporting_cutoff) < 1e-9);
  const kpi = (v, l) => el("div", { class: "kpi" }, el("div", { class: "v", text: v }), el("div", { class: "l", text: l }));
  const k = document.getElementById("dp-kpis");
  k.replaceChildren();
  for (const cls of ["measured+indicated", "total"]) {
    const r = rep.find((x) => x["class"] === cls);
    if (!r) continue;
    k.append(
      kpi(mt(r.tonnes) + " Mt @ " + fmtNum(r.grade, 2) + " " + gu, cls + " (≥ " + d.reporting_cutoff + " " + gu + ")"),
      kpi(fmtNum(r.metal, 0) + " " + mu, "contained " + metal + ", " + cls));
  }

  const gt = d.grade_tonnage;
  await plot("dp-gt-chart", [
    { type: "scatter", mode: "lines+markers", name: "tonnes above cut-off (Mt)", x: gt.map((r) => r.cutoff), y: gt.map((r) => r.tonnes / 1e6) },
    { type: "scatter", mode: "lines+markers", name: "mean grade (" + gu + ")", x: gt.map((r) => r.cutoff), y: gt.map((r) => r.grade), yaxis: "y2" },
  ], {
    xaxis: { title: { text: "cut-off grade (" + gu + " " + metal + ")" } },
    yaxis: { title: { text: "tonnes (Mt)" }, rangemode: "tozero" },
    yaxis2: { title: { text: "grade (" + gu + ")" }, overlaying: "y", side: "right", rangemode: "tozero" },
    legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
    margin: { l: 60, r: 60, t: 30, b: 50 },
  }, "cbmina-grade-tonnage");
  document.getElementById("dp-gt-tools").replaceChildren(csvLink(DP + "/grade-tonnage", {}));

  const classes = ["measured", "indicated", "inferred"];
  const cutoffs = d.cutoffs;
  await plot("dp-class-chart", classes.map((cls) => ({
    type: "bar", name: cls,
    x: cutoffs.map((c) => String(c)),
    y: cutoffs.map((c) => { const r = d.resource.find((x) => x["class"] === cls && Math.abs(x.cutoff - c) < 1e-9); return r ? r.metal : null; }),
  })), { barmode: "stack", xaxis: { title: { text: "cut-off grade (" + gu + ")" }, type: "category" }, yaxis: { title: { text: "contained " + metal + " (" + mu + ")" } }, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, margin: { l: 70, r: 20, t: 30, b: 50 } }, "cbmina-metal-by-class");
  document.getElementById("dp-class-tools").replaceChildren(csvLink(DP + "/resource", {}));

  document.getElementById("dp-resource").replaceChildren(table(d.resource, [
    { label: "cut-off (" + gu + ")", num: true, fmt: (r) => fmtNum(r.cutoff, 2) },
    { key: "class", label: "class" },
    { label: "tonnes (Mt)", num: true, fmt: (r) => mt(r.tonnes) },
    { label: "grade", num: true, fmt: (r) => fmtNum(r.grade, 3) + " " + r.grade_unit },
    { label: "metal", num: true, fmt: (r) => fmtNum(r.metal, 0) + " " + r.metal_unit },
  ], (r) => (Math.abs(r.cutoff - d.reporting_cutoff) < 1e-9 ? "reporting" : "")));
  document.getElementById("dp-resource-tools").replaceChildren(csvLink(DP + "/resource", {}));

  document.getElementById("dp-gt-table").replaceChildren(table(gt, [
    { label: "cut-off (" + gu + ")", num: true, fmt: (r) => fmtNum(r.cutoff, 2) },
    { label: "tonnes (Mt)", num: true, fmt: (r) => mt(r.tonnes) },
    { label: "grade", num: true, fmt: (r) => fmtNum(r.grade, 3) + " " + r.grade_unit },
    { label: "metal", num: true, fmt: (r) => fmtNum(r.metal, 0) + " " + r.metal_unit },
    { key: "blocks", label: "blocks", num: true },
  ]));
  document.getElementById("dp-gtt-tools").replaceChildren(csvLink(DP + "/grade-tonnage", {}));
  document.getElementById("dp-notes").replaceChildren(...(d.notes || []).map((n) => el("li", { text: n })));
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", () => depositPage().catch((e) => {
  showError(document.getElementById("dp-status"), e);
  document.body.setAttribute("data-ready", "true");
}));
