/* Scenario page: build a scenario from the form (on the shipped example's baseline) or run the
   example as is, post it to /api/v1/scenarios with the key, poll, draw price bands and shortfalls.
   The key stays in this page's memory (the input field); it is sent only as X-API-Key. */
"use strict";

const SC_IMPORTERS = ["EU27", "USA", "JPN", "KOR", "OECD"];
let scBase = null; // the shipped example as JSON (cached)

async function exampleSpec() {
  if (!scBase) scBase = await getJSON(API + "/examples/scenario?format=json");
  return scBase;
}

function iso3(id) {
  const v = document.getElementById(id).value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(v)) throw new Error(id.replace("sc-", "") + ": give an ISO3 code (e.g. CHN)");
  return v;
}

function num(id, what) {
  const raw = document.getElementById(id).value;
  const v = Number(raw);
  if (raw === "" || !Number.isFinite(v)) throw new Error(what + ": give a number");
  return v;
}

/* The form's shocks on the example's baseline; JSON is YAML, so the endpoint reads it as a spec. */
async function formSpec() {
  const base = JSON.parse(JSON.stringify(await exampleSpec()));
  const restrict = document.getElementById("sc-restrict-on").checked;
  const add = document.getElementById("sc-add-on").checked;
  if (!restrict && !add) throw new Error("choose an export restriction, a new producer or both");
  const kept = (base.shocks || []).filter((s) => s.type !== "export_restriction" && s.type !== "capacity_addition");
  const shocks = [];
  const parts = [];
  if (restrict) {
    const exporter = iso3("sc-exporter");
    if (base.exporter && exporter !== String(base.exporter).toUpperCase()) {
      throw new Error("the baseline (exports, prices) is the example's, for " + base.exporter +
        "; to model another exporter post your own scenario YAML to /api/v1/scenarios");
    }
    const share = num("sc-share", "share allowed");
    if (share < 0 || share > 1) throw new Error("share allowed must lie between 0 and 1");
    const s = {
      type: "export_restriction",
      exporter: exporter,
      destinations: document.getElementById("sc-dest").value,
      share_allowed: { value: share, unit: "1", source: "assumption", note: "set on the scenario page" },
      start: document.getElementById("sc-rstart").value,
    };
    const dur = document.getElementById("sc-duration").value;
    if (dur !== "") s.duration_months = Math.round(num("sc-duration", "duration"));
    shocks.push(s);
    parts.push(exporter + " allows " + (100 * share).toFixed(0) + " % of exports to " + s.destinations + " from " + s.start);
  }
  if (add) {
    const country = iso3("sc-country");
    const tpy = num("sc-tpy", "capacity");
    const ramp = document.getElementById("sc-ramp").value;
    shocks.push({
      type: "capacity_addition",
      name: "new producer in " + country,
      country: country,
      tonnes_per_year: { value: tpy, unit: "t/yr", source: "assumption", note: "set on the scenario page" },
      start: document.getElementById("sc-astart").value,
      ramp_up_months: ramp === "" ? 0 : Math.round(Number(ramp)),
    });
    parts.push(country + " adds " + tpy + " t/yr from " + document.getElementById("sc-astart").value);
  }
  base.shocks = shocks.concat(kept);
  base.name = (base.commodity || "scenario") + ": " + parts.join("; ");
  base.description = "Built on the scenario page from the shipped example's baseline.";
  base.report_importers = SC_IMPORTERS;
  return JSON.stringify(base);
}

async function exampleText() {
  const r = await fetch(API + "/examples/scenario");
  if (!r.ok) throw new Error("the shipped example is not available (" + r.status + ")");
  return r.text();
}

async function submitScenario(specText) {
  const key = document.getElementById("sc-key").value;
  const status = document.getElementById("sc-status");
  status.removeAttribute("data-done");
  if (!key) throw new Error("give the API key");
  const fd = new FormData();
  fd.append("spec", new Blob([specText], { type: "application/yaml" }), "scenario.yaml");
  const draws = document.getElementById("sc-draws").value;
  const seed = document.getElementById("sc-seed").value;
  if (draws !== "") fd.append("draws", draws);
  if (seed !== "") fd.append("seed", seed);
  const headers = { "X-API-Key": key };
  const job = await getJSON(API + "/scenarios", { method: "POST", body: fd, headers: headers });
  const say = (j) => { status.textContent = "job " + j.job_id + ": " + j.status; };
  say(job);
  const done = await waitForJob(job, headers, say);
  status.textContent = "job " + done.job.job_id + ": done in " + done.job.elapsed_s + " s";
  status.setAttribute("data-done", "true");
  await showScenario(done.result);
}

function runWith(getSpec) {
  return async (ev) => {
    if (ev) ev.preventDefault();
    const buttons = [document.getElementById("sc-run"), document.getElementById("sc-run-example")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await submitScenario(await getSpec());
    } catch (err) {
      showError(document.getElementById("sc-status"), err);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
}

function byKey(rows, key) {
  const out = new Map();
  for (const r of rows) {
    if (!out.has(r[key])) out.set(r[key], []);
    out.get(r[key]).push(r);
  }
  return out;
}

async function drawBands(res) {
  const box = document.getElementById("sc-bands");
  box.replaceChildren();
  const unit = res.unit || "";
  const markets = byKey(res.price_bands || [], "market");
  for (const [market, rows] of markets) {
    const id = "sc-band-" + String(market).replace(/[^A-Za-z0-9_-]/g, "_");
    box.append(el("h3", { text: market === "ROW" ? "rest of the world (ROW)" : market + " (domestic market)" }), el("div", { id: id, class: "chart band-chart" }));
    const x = rows.map((r) => r.period);
    await plot(id, [
      { type: "scatter", mode: "lines", name: "P95", x: x, y: rows.map((r) => r.p95), line: { width: 0.5, color: "#7aa6d8" } },
      { type: "scatter", mode: "lines", name: "P5", x: x, y: rows.map((r) => r.p5), fill: "tonexty", fillcolor: "rgba(31,95,168,0.18)", line: { width: 0.5, color: "#7aa6d8" } },
      { type: "scatter", mode: "lines", name: "P50", x: x, y: rows.map((r) => r.p50), line: { width: 2, color: "#1f5fa8" } },
      { type: "scatter", mode: "lines", name: "central run", x: x, y: rows.map((r) => r.price), line: { width: 1.5, dash: "dot", color: "#9a5b00" } },
    ], { yaxis: { title: { text: "price (" + unit + ")" } }, legend: { orientation: "h" }, margin: { l: 70, r: 20, t: 10, b: 50 } },
    "scenario-price-bands-" + market);
  }
  document.getElementById("sc-bands-tools").replaceChildren(csvBlobLink(res.price_bands, "scenario-price-bands"));
}

async function drawShortfall(res) {
  const rows = (res.importers || []).filter((r) => SC_IMPORTERS.includes(r.iso3));
  const groups = byKey(rows, "iso3");
  const traces = [];
  for (const code of SC_IMPORTERS) {
    const rs = groups.get(code);
    if (!rs) continue;
    traces.push({ type: "scatter", mode: "lines", name: code + " central", legendgroup: code, x: rs.map((r) => r.period), y: rs.map((r) => r.shortfall_t) });
    traces.push({ type: "scatter", mode: "lines", name: code + " P95", legendgroup: code, showlegend: false, x: rs.map((r) => r.period), y: rs.map((r) => r.shortfall_p95_t), line: { dash: "dot", width: 1 } });
  }
  await plot("sc-shortfall", traces, { yaxis: { title: { text: "shortfall per period (t)" } }, legend: { orientation: "h" }, margin: { l: 70, r: 20, t: 10, b: 50 } }, "scenario-importer-shortfall");
  const summary = [];
  for (const code of SC_IMPORTERS) {
    const rs = groups.get(code);
    if (!rs) continue;
    const sum = (k) => rs.reduce((a, r) => a + (r[k] || 0), 0);
    const max = (k) => rs.reduce((a, r) => Math.max(a, r[k] || 0), 0);
    summary.push({ iso3: code, import_share: rs[0].import_share, restricted_t: sum("restricted_t"), shortfall_t: sum("shortfall_t"), peak_p50_t: max("shortfall_p50_t"), peak_p95_t: max("shortfall_p95_t") });
  }
  document.getElementById("sc-importers").replaceChildren(el("p", { class: "note", text: "Totals over the horizon; peaks are the largest shortfall in one period (P50, P95 of the Monte Carlo)." }), table(summary, [
    { key: "iso3", label: "importer" },
    { label: "share of flow", num: true, fmt: (r) => fmtShare(r.import_share) },
    { label: "restricted (t)", num: true, fmt: (r) => fmtNum(r.restricted_t, 1) },
    { label: "shortfall, central (t)", num: true, fmt: (r) => fmtNum(r.shortfall_t, 1) },
    { label: "peak P50 (t)", num: true, fmt: (r) => fmtNum(r.peak_p50_t, 2) },
    { label: "peak P95 (t)", num: true, fmt: (r) => fmtNum(r.peak_p95_t, 2) },
  ]));
  document.getElementById("sc-shortfall-tools").replaceChildren(csvBlobLink(rows, "scenario-importer-shortfall"));
}

async function drawProbability(res) {
  const rows = res.shortfall_probability || [];
  if (!rows.length) {
    document.getElementById("sc-prob").replaceChildren(el("p", { class: "note", text: "no Monte Carlo run (draws = 0)" }));
    document.getElementById("sc-prob-tools").replaceChildren();
    return;
  }
  await plot("sc-prob", [
    { type: "bar", name: "P(shortfall)", x: rows.map((r) => r.period), y: rows.map((r) => 100 * r.probability) },
  ], { yaxis: { title: { text: "probability (%)" }, range: [0, 100], ticksuffix: " %" }, margin: { l: 70, r: 20, t: 10, b: 50 } }, "scenario-shortfall-probability");
  document.getElementById("sc-prob-tools").replaceChildren(csvBlobLink(rows, "scenario-shortfall-probability"));
}

async function showScenario(res) {
  const kpi = (v, l) => el("div", { class: "kpi" }, el("div", { class: "v", text: v }), el("div", { class: "l", text: l }));
  document.getElementById("sc-kpis").replaceChildren(
    el("div", { class: "kpi", id: "sc-name" }, el("div", { class: "v small", text: res.name || "" }), el("div", { class: "l", text: "scenario" })),
    kpi(fmtNum(res.draws, 0), "Monte Carlo draws"),
    kpi(res.seed === null || res.seed === undefined ? "—" : String(res.seed), "seed"),
    kpi(res.unit || "—", "price unit")
  );
  await drawBands(res);
  await drawShortfall(res);
  await drawProbability(res);
  const a = res.assumptions || [];
  document.getElementById("sc-assumptions").replaceChildren(table(a, [
    { key: "name", label: "input" },
    { key: "value", label: "value" },
    { key: "unit", label: "unit" },
    { label: "source", fmt: (r) => (r.assumption ? "assumption" : r.source_title || r.source || "—"), cls: (r) => (r.assumption ? "q-withheld" : "") },
    { key: "note", label: "note" },
  ]));
  document.getElementById("sc-assumptions-tools").replaceChildren(csvBlobLink(a, "scenario-assumptions"));
  document.getElementById("sc-notes").replaceChildren(...(res.notes || []).map((n) => el("li", { text: n })));
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("scenario-form").addEventListener("submit", runWith(formSpec));
  document.getElementById("sc-run-example").addEventListener("click", runWith(exampleText));
  exampleSpec().then((b) => {
    if (b.exporter) document.getElementById("sc-exporter").value = String(b.exporter).toUpperCase();
  }).catch((err) => showError(document.getElementById("sc-status"), err))
    .finally(() => document.body.setAttribute("data-loaded", "true"));
});
