/* Home page: commodity and country pickers. */
"use strict";

async function indexPage() {
  const rows = await getJSON(API + "/commodities");
  const sel = document.getElementById("commodity-select");
  const withData = rows.filter((r) => r.primary_measure);
  for (const r of withData) sel.append(el("option", { value: r.commodity, text: r.name }));
  sel.value = "gallium";
  document.getElementById("commodity-form").addEventListener("submit", (e) => {
    e.preventDefault();
    location.href = "/commodity/" + encodeURIComponent(sel.value);
  });
  document.getElementById("commodity-list").replaceChildren(table(withData, [
    { label: "commodity", fmt: (r) => r.name },
    { label: "primary measure", fmt: (r) => r.primary_measure.replace(/_/g, " ") },
    { label: "default price", fmt: (r) => r.default_price || "—" },
  ]));
  document.querySelectorAll("#commodity-list tbody tr").forEach((tr, i) => {
    const a = el("a", { href: "/commodity/" + encodeURIComponent(withData[i].commodity), text: withData[i].name });
    tr.firstChild.replaceChildren(a);
  });
  document.getElementById("country-form").addEventListener("submit", (e) => {
    e.preventDefault();
    location.href = "/country/" + encodeURIComponent(document.getElementById("country-input").value.trim());
  });
  const cs = await getJSON(API + "/countries");
  const dl = document.getElementById("country-names");
  for (const c of cs) dl.append(el("option", { value: c.name }));
  const hh = await health();
  const tools = [
    ["scenarios", "/scenario", "Market scenario: restrict exports or add a producer, price bands and shortfalls (API key)"],
    ["claims", "/claims", "Check a story's claims: verdicts with evidence (API key)"],
    ["geostats", "/deposit", "Deposit example: resource table and grade-tonnage curve"],
    ["valuation", "/project", "Project or deposit valuation (API key)"],
  ];
  for (const [mod, href, text] of tools) {
    if (hh.modules[mod]) document.getElementById("tools").append(el("li", {}, el("a", { href: href, text: text })));
  }
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", () => indexPage().catch((e) => showError(document.querySelector("main"), e)));
