/* Project/deposit valuation page: upload a spec, poll the job, show results. */
"use strict";

/* sleep() and csvBlobLink() are in app.js. */

function musd(v) { return v === null || v === undefined ? "—" : fmtNum(v / 1e6, 1) + " M USD"; }

async function runProject(ev) {
  ev.preventDefault();
  const key = document.getElementById("pj-key").value;
  const status = document.getElementById("pj-status");
  const btn = document.getElementById("pj-run");
  const fd = new FormData();
  fd.append("spec", document.getElementById("pj-spec").files[0]);
  for (const f of document.getElementById("pj-files").files) fd.append("files", f);
  const draws = document.getElementById("pj-draws").value;
  const seed = document.getElementById("pj-seed").value;
  if (draws !== "") fd.append("draws", draws);
  if (seed !== "") fd.append("seed", seed);
  btn.disabled = true;
  try {
    const headers = { "X-API-Key": key };
    let job = await getJSON(API + "/valuations", { method: "POST", body: fd, headers: headers });
    status.textContent = "job " + job.job_id + ": " + job.status;
    for (let i = 0; i < 600 && (job.status === "queued" || job.status === "running"); i++) {
      await sleep(i < 10 ? 300 : 1000);
      job = await getJSON(API + "/jobs/" + job.job_id, { headers: headers });
      status.textContent = "job " + job.job_id + ": " + job.status;
    }
    if (job.status !== "done") throw new Error(job.error || "the run did not finish");
    const res = await getJSON(API + "/jobs/" + job.job_id + "/result", { headers: headers });
    status.textContent = "job " + job.job_id + ": done in " + job.elapsed_s + " s";
    status.setAttribute("data-done", "true");
    await show(res);
  } catch (err) {
    showError(status, err);
  } finally {
    btn.disabled = false;
  }
}

async function show(res) {
  const k = document.getElementById("pj-kpis");
  const kpi = (v, l) => el("div", { class: "kpi" }, el("div", { class: "v", text: v }), el("div", { class: "l", text: l }));
  k.replaceChildren();
  if (res.kind === "deposit") {
    k.append(kpi(musd(res.in_situ_value_usd), "in-situ value"), kpi(musd(res.recoverable_value_usd), "recoverable value"));
    document.getElementById("pj-summary").replaceChildren(el("p", { text: res.label || "" }), table(res.bridge, Object.keys(res.bridge[0] || {}).map((c) => ({ key: c, label: c }))));
  } else {
    k.append(
      kpi(musd(res.npv_usd), "NPV at " + (100 * res.discount_rate).toFixed(1) + " % " + (res.discount_basis || "")),
      kpi(res.irr === null ? (res.irr_status || "—") : (100 * res.irr).toFixed(1) + " %", "IRR"),
      kpi(res.p_npv_negative === null || res.p_npv_negative === undefined ? "—" : (100 * res.p_npv_negative).toFixed(1) + " %", "P(NPV < 0)")
    );
    document.getElementById("pj-summary").replaceChildren(table(res.summary, [
      { label: "metric", fmt: (r) => labelOf(r.metric) },
      { label: "value", num: true, fmt: (r) => (typeof r.value === "number" ? fmtNum(r.value) : r.value === null ? "—" : String(r.value)) },
      { key: "unit", label: "unit" },
    ]));
    document.getElementById("pj-summary").prepend(el("span", { class: "tools" }, csvBlobLink(res.summary, "summary")));
    const h = res.npv_histogram || [];
    if (h.length) {
      await plot("pj-hist", [{ type: "bar", x: h.map((b) => (b.npv_low_usd + b.npv_high_usd) / 2e6), y: h.map((b) => b.count), width: h.map((b) => (b.npv_high_usd - b.npv_low_usd) / 1e6) }],
        { xaxis: { title: { text: "NPV (M USD)" } }, yaxis: { title: { text: "paths" } } }, "npv-histogram");
      document.getElementById("pj-hist").parentElement.prepend(el("span", { class: "tools" }, csvBlobLink(h, "npv-histogram")));
    } else {
      document.getElementById("pj-hist").replaceChildren(el("p", { class: "note", text: "no Monte Carlo run (draws = 0)" }));
    }
    const cf = res.cash_flows || [];
    await plot("pj-cf", [
      { type: "bar", name: "net cash flow", x: cf.map((r) => r.year), y: cf.map((r) => r.net_cash_flow_usd / 1e6) },
      { type: "scatter", name: "discounted", x: cf.map((r) => r.year), y: cf.map((r) => r.discounted_cash_flow_usd / 1e6) },
    ], { yaxis: { title: { text: "M USD" } }, legend: { orientation: "h" } }, "cash-flow");
    document.getElementById("pj-cf").parentElement.prepend(el("span", { class: "tools" }, csvBlobLink(cf, "cash-flows")));
    const t = (res.tornado || []).slice().reverse();
    await plot("pj-tornado", [
      { type: "bar", orientation: "h", name: "low", y: t.map((r) => r.label), x: t.map((r) => (r.npv_low_usd - res.npv_usd) / 1e6), base: res.npv_usd / 1e6 },
      { type: "bar", orientation: "h", name: "high", y: t.map((r) => r.label), x: t.map((r) => (r.npv_high_usd - res.npv_usd) / 1e6), base: res.npv_usd / 1e6 },
    ], { barmode: "overlay", xaxis: { title: { text: "NPV (M USD)" } }, yaxis: { automargin: true }, margin: { l: 10, r: 20, t: 10, b: 50 } }, "tornado");
    document.getElementById("pj-tornado").parentElement.prepend(el("span", { class: "tools" }, csvBlobLink(res.tornado || [], "tornado")));
    const m = (n) => { if (res[n] !== undefined) return res[n]; const r = (res.summary || []).find((x) => x.metric === n); return r ? r.value : null; };
    const mc = m("mc_npv_p50_usd");
    if (mc !== null && mc !== undefined) {
      document.getElementById("pj-explain").replaceChildren(el("p", { text:
        "Deterministic NPV " + musd(res.npv_usd) + " uses the price deck of the spec, one price per year. " +
        "The Monte Carlo median " + musd(mc) + " (P5 " + musd(m("mc_npv_p5_usd")) + ", P95 " + musd(m("mc_npv_p95_usd")) + ") values the same project over " +
        fmtNum(m("mc_draws"), 0) + " simulated price paths of the spec's price model. They differ when the deck is not the centre of the simulated prices " +
        "and because NPV is not linear in price (negative years are floored by the operating rules): neither figure is wrong, they answer different questions." }));
    }
  }
  const a = res.assumptions || [];
  const at = document.getElementById("pj-assumptions");
  at.parentElement.querySelectorAll(":scope > .tools").forEach((n) => n.remove());
  at.parentElement.prepend(el("span", { class: "tools" }, csvBlobLink(a, "inputs")));
  at.replaceChildren(table(a, [
    { label: "input", fmt: (r) => labelOf(r.name) },
    { label: "value", num: true, fmt: (r) => (typeof r.value === "number" ? fmtNum(r.value) : String(r.value)) },
    { key: "unit", label: "unit" },
    { key: "source", label: "source" },
  ]));
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", () => document.getElementById("project-form").addEventListener("submit", runProject));
