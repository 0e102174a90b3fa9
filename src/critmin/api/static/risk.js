/* Risk page: supply-risk methods side by side, one material explained, data-quality grade. */
"use strict";

async function riskPage() {
  const p = urlParams(["importer", "year", "explain"]);
  document.getElementById("importer").value = p.importer || "EU27";
  if (p.year) document.getElementById("year").value = p.year;
  const q = { importer: p.importer || "EU27", year: p.year };
  const path = API + "/risk";
  for (const id of ["ranks-tools", "table-tools"]) document.getElementById(id).append(csvLink(path, q));
  let rows;
  try {
    rows = await getJSON(path + qs(q));
  } catch (err) {
    showError(document.getElementById("side"), err);
    document.getElementById("ranks-chart").setAttribute("data-rendered", "true");
    document.body.setAttribute("data-ready", "true");
    return;
  }
  const methods = [...new Set(rows.map((r) => r.method))];
  const coms = [...new Set(rows.map((r) => r.commodity))];
  const sel = document.getElementById("explain");
  for (const c of coms.slice().sort()) sel.append(el("option", { value: c, text: labelOf(c) }));
  if (p.explain) sel.value = p.explain;
  const by = {};
  for (const r of rows) (by[r.commodity] = by[r.commodity] || {})[r.method] = r;
  const cols = [{ label: "commodity", fmt: (r) => labelOf(r.commodity) }];
  for (const m of methods) {
    cols.push({ label: labelOf("method_" + m) + " rank", num: true, fmt: (r) => (r[m] ? String(r[m].rank) : "—") });
    cols.push({ label: "grade", fmt: (r) => (r[m] && r[m].quality ? r[m].quality : "—") });
  }
  const wide = coms.map((c) => Object.assign({ commodity: c }, by[c]));
  document.getElementById("side").replaceChildren(table(wide, cols));
  await plot("ranks-chart", methods.map((m) => {
    const rs = rows.filter((r) => r.method === m);
    return { type: "scatter", mode: "markers", name: labelOf("method_" + m), x: rs.map((r) => r.rank), y: rs.map((r) => labelOf(r.commodity)), marker: { size: 9 } };
  }), { xaxis: { title: { text: "rank (1 = highest risk)" }, autorange: "reversed" }, yaxis: { automargin: true }, margin: { l: 90, r: 10, t: 10, b: 50 }, legend: { orientation: "h", y: -0.4 } }, "risk-ranks");
  if (p.explain && by[p.explain]) explain(p.explain, Object.values(by[p.explain]));
  document.body.setAttribute("data-ready", "true");
}

function explain(com, rows) {
  document.getElementById("explain-title").textContent = "Explain: " + labelOf(com);
  document.getElementById("explain-tools").append(csvBlobLink(rows.map((r) => ({ method: r.method, rank: r.rank, value: r.value, scale: r.scale, stage: r.stage, year: r.year, quality: r.quality, warnings: (r.warnings || []).join("; ") })), "risk-" + com));
  const body = document.getElementById("explain-body");
  body.replaceChildren();
  for (const r of rows) {
    body.append(
      el("h3", { text: labelOf("method_" + r.method) + ": " + fmtNum(r.value, 2) + " (scale " + (r.scale || "—") + "), rank " + r.rank + ", grade " + (r.quality || "—") }),
      el("p", { class: "note", text: "stage " + (r.stage || "—") + ", year " + (r.year === null ? "—" : String(r.year)) + "; sourcing from " + (r.sourcing || "—") + (r.placeholder_share !== null && r.placeholder_share !== undefined ? "; share resting on placeholders " + fmtShare(r.placeholder_share) : "") }),
      (r.warnings || []).length ? el("ul", {}, ...r.warnings.map((w) => el("li", { text: w }))) : null
    );
  }
}

document.addEventListener("DOMContentLoaded", riskPage);
