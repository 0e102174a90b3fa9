/* Country page: where a country ranks (production and reserves). */
"use strict";

async function countryPage() {
  const name = pathArg("/country/") || "Kazakhstan";
  const top = Number(new URLSearchParams(location.search).get("top") || 10);
  document.getElementById("top").value = top;
  document.getElementById("top-form").addEventListener("submit", (e) => {
    e.preventDefault();
    location.search = "?top=" + encodeURIComponent(document.getElementById("top").value);
  });
  const path = API + "/countries/" + encodeURIComponent(name);
  let rows;
  try {
    rows = await getJSON(path + qs({ top: top }));
  } catch (err) {
    showError(document.querySelector("main"), err);
    return;
  }
  document.getElementById("rank-tools").append(csvLink(path, { top: top }));
  const iso = rows.length ? rows[0].iso3 : name;
  document.getElementById("title").textContent = name + " (" + iso + "): top-" + top + " positions";
  document.title = "critmin — " + name;
  document.getElementById("positions").replaceChildren(table(rows, [
    { label: "commodity", fmt: (r) => r.commodity },
    { label: "measure", fmt: (r) => r.measure.replace(/_/g, " ") + (r.product ? " (" + r.product + ")" : "") },
    { key: "year", label: "year", num: true },
    { label: "rank", num: true, fmt: (r) => r.rank + " of " + r.n_ranked },
    { label: "value", num: true, fmt: valueText },
    { label: "share", num: true, fmt: (r) => fmtShare(r.share) },
    { key: "qualifier", label: "qualifier" },
  ]));
  document.querySelectorAll("#positions tbody tr").forEach((tr, i) => {
    tr.firstChild.replaceChildren(el("a", { href: "/commodity/" + encodeURIComponent(rows[i].commodity), text: rows[i].commodity }));
  });
  const prod = rows.filter((r) => r.measure !== "reserves" && r.share !== null).sort((a, b) => a.share - b.share);
  const res = rows.filter((r) => r.measure === "reserves" && r.share !== null).sort((a, b) => a.share - b.share);
  await plot("rank-chart", [
    { type: "bar", orientation: "h", name: "production", y: prod.map((r) => r.commodity + " (" + r.measure.replace(/_production/, "") + ")"), x: prod.map((r) => 100 * r.share), text: prod.map((r) => "#" + r.rank), textposition: "auto" },
    { type: "bar", orientation: "h", name: "reserves", y: res.map((r) => r.commodity + " (reserves)"), x: res.map((r) => 100 * r.share), text: res.map((r) => "#" + r.rank), textposition: "auto" },
  ], { xaxis: { title: { text: "share of listed producers (%)" }, ticksuffix: " %" }, margin: { l: 190, r: 20, t: 10, b: 50 }, height: Math.max(380, 22 * (prod.length + res.length) + 80), legend: { orientation: "h" } }, iso + "-positions");
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", countryPage);
