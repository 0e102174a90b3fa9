/* What-if page: add a producer, run, read the new rank. */
"use strict";

async function runWhatIf(ev) {
  if (ev) ev.preventDefault();
  const btn = document.getElementById("wi-run");
  const out = document.getElementById("whatif-result");
  const cid = document.getElementById("wi-commodity").value;
  const year = document.getElementById("wi-year").value;
  const country = document.getElementById("wi-country").value.trim();
  const qty = document.getElementById("wi-qty").value;
  const unit = document.getElementById("wi-unit").value;
  const params = { year: year, add: [country + "=" + qty + unit] };
  const path = API + "/rank/" + encodeURIComponent(cid);
  history.replaceState(null, "", "/what-if" + qs({ commodity: cid, year: year, country: country, qty: qty, unit: unit }));
  btn.disabled = true;
  try {
    const rows = await getJSON(path + qs(params));
    const wi = rows.find((r) => r.what_if);
    const tools = document.getElementById("wi-tools");
    tools.replaceChildren(csvLink(path, params));
    document.getElementById("wi-title").textContent = labelOf(cid) + ", " + (rows.length ? String(rows[0].year) : "") + ": " + country + " +" + qty + " " + unit;
    const summary = el("p", { id: "whatif-summary", class: "kpi" });
    if (wi) summary.append(el("span", { class: "v", text: wi.country + " would rank #" + wi.rank + " with " + fmtShare(wi.share) + " of output" }));
    out.replaceChildren(summary, table(rows, [
      { key: "rank", label: "#", num: true },
      { key: "country", label: "country" },
      { label: "output", num: true, fmt: valueText, cls: (r) => (r.qualifier === "withheld" ? "q-withheld" : "") },
      { label: "share after", num: true, fmt: (r) => fmtShare(r.share) },
      { label: "share as published", num: true, fmt: (r) => fmtShare(r.share_before) },
      { key: "qualifier", label: "qualifier" },
    ], (r) => (r.what_if ? "what-if" : "")));
    const top = rows.filter((r) => r.share !== null).slice(0, 10).reverse();
    await plot("whatif-chart", [
      { type: "bar", orientation: "h", name: "as published", y: top.map((r) => r.country), x: top.map((r) => (r.share_before === null ? 0 : 100 * r.share_before)) },
      { type: "bar", orientation: "h", name: "with the addition", y: top.map((r) => r.country), x: top.map((r) => 100 * r.share) },
    ], { barmode: "group", xaxis: { title: { text: "share (%)" }, ticksuffix: " %" }, yaxis: { automargin: true }, margin: { l: 10, r: 20, t: 10, b: 50 }, legend: { orientation: "h" } }, cid + "-what-if");
    document.getElementById("whatif-chart").parentElement.querySelectorAll(":scope > .tools").forEach((n) => n.remove());
    document.getElementById("whatif-chart").parentElement.prepend(el("span", { class: "tools" }, csvLink(path, params)));
  } catch (err) {
    showError(out, err);
  } finally {
    btn.disabled = false;
    document.body.setAttribute("data-ready", "true");
  }
}

async function whatIfPage() {
  const rows = await getJSON(API + "/commodities");
  const sel = document.getElementById("wi-commodity");
  for (const r of rows.filter((x) => x.primary_measure)) sel.append(el("option", { value: r.commodity, text: r.name }));
  const p = urlParams(["commodity", "year", "country", "qty", "unit"]);
  sel.value = p.commodity || "gallium";
  if (p.year) document.getElementById("wi-year").value = p.year;
  if (p.country) document.getElementById("wi-country").value = p.country;
  if (p.qty) document.getElementById("wi-qty").value = p.qty;
  if (p.unit) document.getElementById("wi-unit").value = p.unit;
  document.getElementById("whatif-form").addEventListener("submit", runWhatIf);
  if (p.country && p.qty) await runWhatIf(null);
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", whatIfPage);
