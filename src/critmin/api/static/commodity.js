/* Commodity page: map (or bar) of production share, producers, HHI, prices, reserves, editions, sources. */
"use strict";

async function commodityPage() {
  const name = pathArg("/commodity/") || "gallium";
  const hh = await health();
  let info;
  try {
    info = await getJSON(API + "/commodities/" + encodeURIComponent(name));
  } catch (err) {
    showError(document.querySelector("main"), err);
    return;
  }
  const cid = info.commodity;
  const view = urlParams(["year", "measure", "edition", "from", "to"]);
  window.__view = view;
  controls(cid, info, view);
  if (view.year || view.measure || view.edition) {
    try {
      const cc = await getJSON(API + "/concentration/" + encodeURIComponent(cid) + qs({ year: view.year, measure: view.measure, edition: view.edition }));
      if (cc.length) {
        info.concentration = cc[0].hhi === null && cc[0].reason ? null : cc[0];
        info.table = Object.assign({}, info.table || {}, { measure: cc[0].measure, product: cc[0].product, year: cc[0].year, unit: cc[0].unit, editions: [cc[0].edition] });
        if (cc[0].reason) document.getElementById("kpis").append(el("p", { class: "note", text: "no concentration for this view: " + cc[0].reason }));
      }
    } catch (err) {
      showError(document.getElementById("kpis"), err);
    }
  }
  document.title = "critmin — " + info.name;
  document.getElementById("title").textContent = info.name + (info.symbol ? " (" + info.symbol + ")" : "");
  const t = info.table;
  document.getElementById("subtitle").textContent = t
    ? labelOf(t.measure) + (t.product ? " (" + t.product + ")" : "") + ", " + String(t.year) + "; unit " + t.unit + "; edition " + t.editions.join(", ")
    : "no production table for this commodity";
  const k = document.getElementById("kpis");
  const c = info.concentration;
  if (c) {
    const kpi = (v, l, id) => el("div", { class: "kpi", id: id }, el("div", { class: "v", text: v }), el("div", { class: "l", text: l }));
    k.append(
      kpi(fmtNum(c.hhi, 0), "HHI (0–10,000), countries", "hhi"),
      kpi(fmtShare(c.cr1) + " " + (c.top_iso3 || ""), "CR1 (largest producer)", "cr1"),
      kpi(fmtShare(c.cr3), "CR3 (three largest)", "cr3"),
      kpi(fmtQty(c.total, c.unit), "total of listed producers, " + String(c.year), "total"),
      kpi(String(c.n_producers) + (c.n_unknown ? " + " + c.n_unknown + " withheld/NA" : ""), "producers with figures", "nprod")
    );
  }
  const jobs = [];
  if (t) jobs.push(shares(cid, t, hh.map));
  jobs.push(prices(cid, info.price_series));
  jobs.push(info.has_reserves ? reserves(cid) : Promise.resolve(document.getElementById("reserves-chart").replaceChildren(el("p", { class: "note", text: "no reserves published" }))));
  jobs.push(editions(cid, info.editions));
  jobs.push(sources(info));
  await Promise.allSettled(jobs);
  document.body.setAttribute("data-ready", "true");
}

async function shares(cid, t, haveMap) {
  const path = API + "/production/" + encodeURIComponent(cid);
  const v = window.__view || {};
  const pq = { year: v.year, measure: v.measure, edition: v.edition };
  document.getElementById("producers-tools").append(csvLink(path, pq));
  document.getElementById("share-tools").append(csvLink(path, pq));
  let rows;
  try {
    rows = await getJSON(path + qs(pq));
  } catch (err) {
    showError(document.getElementById("producers"), err);
    return;
  }
  const mine = rows.filter(isUserRow);
  if (mine.length) {
    document.getElementById("kpis").append(el("p", { class: "note user-note", id: "user-rows-note", text:
      "Includes " + mine.length + " row(s) you imported (" + [...new Set(mine.map((r) => r.source_id))].join(", ") + ": " +
      mine.map((r) => r.country).join(", ") + "): HHI, CR1, CR3 and shares below are computed with them, not as published." }));
  }
  const countries = rows.filter((r) => r.entity_type === "country");
  countries.sort((a, b) => (a.rank === null) - (b.rank === null) || (a.rank || 0) - (b.rank || 0));
  document.getElementById("producers").replaceChildren(
    table(rows, [
      { key: "rank", label: "#", num: true },
      { key: "country", label: "country" },
      { key: "iso3", label: "ISO3" },
      { label: "production", num: true, fmt: valueText, cls: (r) => (r.qualifier === "withheld" ? "q-withheld" : "") },
      { label: "share", num: true, fmt: (r) => fmtShare(r.share) },
      { key: "qualifier", label: "qualifier" },
    ])
  );
  const ranked = countries.filter((r) => r.share !== null);
  const unit = t.unit;
  const title = "share of " + labelOf(t.measure).toLowerCase() + ", " + String(t.year);
  document.getElementById("share-title").textContent = labelOf(t.measure) + " share, " + String(t.year);
  const note = document.getElementById("share-note");
  const withheld = countries.filter((r) => r.qualifier === "withheld").map((r) => r.country);
  if (withheld.length) note.textContent = "withheld by the source (not shown as zero): " + withheld.join(", ") + ". ";
  if (!ranked.length) {
    document.getElementById("share-chart").replaceChildren(el("p", { class: "note", text: "no shares can be computed: every figure is withheld or missing" }));
    document.getElementById("share-chart").setAttribute("data-rendered", "true");
    return;
  }
  const text = ranked.map((r) => r.country + ": " + fmtShare(r.share) + " (" + valueText(r) + ")");
  if (haveMap) {
    await plot("share-chart", [{
      type: "choropleth",
      locationmode: "ISO-3",
      locations: ranked.map((r) => r.iso3),
      z: ranked.map((r) => 100 * r.share),
      text: text,
      hoverinfo: "text",
      colorscale: [[0, "#dbe9f6"], [0.5, "#4a90c8"], [1, "#08306b"]],
      zmin: 0,
      zmax: 100,
      marker: { line: { color: "#ffffff", width: 0.5 } },
      colorbar: { title: { text: "share %" }, ticksuffix: " %" },
    }], { geo: { projection: { type: "natural earth" }, showframe: false, showcoastlines: false, showland: true, landcolor: "#eceff3", showcountries: true, countrycolor: "#ffffff", lataxis: { range: [-58, 85] } }, margin: { l: 0, r: 0, t: 10, b: 0 } }, cid + "-share-map");
    note.textContent += "Map: countries with a published figure; unit " + unit + ".";
  } else {
    const top = ranked.slice(0, 15).reverse();
    await plot("share-chart", [{
      type: "bar", orientation: "h",
      x: top.map((r) => 100 * r.share), y: top.map((r) => r.country),
      text: top.map((r) => fmtShare(r.share)), hovertext: top.map((r) => valueText(r)), textposition: "auto",
    }], { xaxis: { title: { text: title + " (%)" }, ticksuffix: " %" }, yaxis: { automargin: true }, margin: { l: 10, r: 20, t: 10, b: 50 } }, cid + "-share");
    note.textContent += "World map unavailable on this server (run scripts/frontend-assets.sh); bar chart of the top 15.";
  }
}

async function prices(cid, series) {
  const box = document.getElementById("price-chart");
  if (!series.length) {
    box.replaceChildren(el("p", { class: "note", text: "no price series for this commodity" }));
    return;
  }
  const s = series.find((x) => x.series.startsWith("wb_")) || series.find((x) => x.frequency === "A" && x.series.startsWith("mcs")) || series[0];
  const path = API + "/prices/" + encodeURIComponent(s.series);
  document.getElementById("price-tools").append(csvLink(path, {}));
  document.getElementById("price-title").textContent = "Price: " + (s.name || labelOf(s.series)) + " (" + s.unit + ")";
  try {
    const v = window.__view || {};
    const yearOf = (p) => parseInt(String(p).slice(0, 4), 10);
    const rows = (await getJSON(path)).filter((r) => (!v.from || yearOf(r.period) >= +v.from) && (!v.to || yearOf(r.period) <= +v.to));
    if (v.from || v.to) document.getElementById("price-tools").append(csvBlobLink(rows, s.series + "-" + (v.from || "") + "-" + (v.to || "")));
    await plot("price-chart", [{
      type: "scatter", mode: rows.length > 40 ? "lines" : "lines+markers",
      x: rows.map((r) => r.period), y: rows.map((r) => r.value), name: s.name || labelOf(s.series),
      hovertemplate: "%{x}: %{y:,.2f} " + s.unit + "<extra></extra>",
    }], { yaxis: { title: { text: s.unit } }, xaxis: { title: { text: s.frequency === "M" ? "month" : "year" } } }, cid + "-price");
  } catch (err) {
    showError(box, err);
  }
}

async function reserves(cid) {
  const path = API + "/reserves/" + encodeURIComponent(cid);
  document.getElementById("reserves-tools").append(csvLink(path, {}));
  const box = document.getElementById("reserves-chart");
  try {
    const rows = (await getJSON(path)).filter((r) => r.reserves !== null && r.iso3 !== "WLD");
    rows.sort((a, b) => b.reserves - a.reserves);
    const top = rows.slice(0, 12).reverse();
    await plot("reserves-chart", [{
      type: "bar", orientation: "h", x: top.map((r) => r.reserves), y: top.map((r) => r.country),
      text: top.map((r) => (r.rp_years !== null ? fmtNum(r.rp_years, 0) + " yr" : "")), textposition: "auto",
      hovertemplate: "%{y}: %{x:,.0f} t<extra></extra>",
    }], { xaxis: { title: { text: "reserves (t); label: reserve life, years" } }, yaxis: { automargin: true }, margin: { l: 10, r: 20, t: 10, b: 50 } }, cid + "-reserves");
  } catch (err) {
    showError(box, err);
  }
}

async function editions(cid, eds) {
  const box = document.getElementById("editions");
  const path = API + "/revisions/" + encodeURIComponent(cid);
  document.getElementById("revisions-tools").append(csvLink(path, {}));
  box.replaceChildren(el("p", { text: "Editions with data: " + eds.join(", ") }));
  try {
    const rows = await getJSON(path);
    if (!rows.length) {
      box.append(el("p", { class: "note", text: "no figures revised between editions" }));
      return;
    }
    box.append(el("div", { class: "scroll" }, table(rows.slice(0, 50), [
      { label: "measure", fmt: (r) => labelOf(r.measure) },
      { key: "country", label: "country" },
      { key: "year", label: "year", num: true },
      { key: "edition_old", label: "old" },
      { label: "value", num: true, fmt: (r) => (r.value_old === null ? QUAL_LABEL[r.qualifier_old] || String(r.qualifier_old).replace(/_/g, " ") : fmtQty(r.value_old, r.unit)) },
      { key: "edition_new", label: "new" },
      { label: "value", num: true, fmt: (r) => (r.value_new === null ? QUAL_LABEL[r.qualifier_new] || String(r.qualifier_new).replace(/_/g, " ") : fmtQty(r.value_new, r.unit)) },
      { label: "change", num: true, fmt: (r) => (r.change_pct === null ? "—" : (100 * r.change_pct).toFixed(1) + " %") },
    ])));
  } catch (err) {
    showError(box, err);
  }
}

async function sources(info) {
  const ids = new Set((info.table ? info.table.source_ids : []).concat(info.price_series.map((s) => s.source_id).filter(Boolean)));
  const path = API + "/sources";
  document.getElementById("sources-tools").append(csvLink(path, {}));
  const rows = await getJSON(path);
  const used = rows.filter((r) => ids.has(r.source_id));
  const list = el("ul", { class: "plain" });
  for (const r of used.length ? used : rows) {
    list.append(el("li", {}, el("strong", { text: r.source_id + ": " }), r.citation || r.title || "", " (" + (r.licence || "licence n/a") + ") ", r.url ? el("a", { href: r.url, rel: "noreferrer", text: "link" }) : null));
  }
  document.getElementById("sources").replaceChildren(list);
}

document.addEventListener("DOMContentLoaded", commodityPage);

/* Year, measure, edition and price-range controls; submitting puts them in the URL. */
function controls(cid, info, view) {
  const f = document.getElementById("view-form");
  if (!f) return;
  f.setAttribute("action", "/commodity/" + encodeURIComponent(cid));
  const ms = document.getElementById("v-measure");
  for (const m of String(info.measures || (info.commodity_row && info.commodity_row.measures) || "").split(/[,; ]+/).filter(Boolean)) ms.append(el("option", { value: m, text: labelOf(m) }));
  const ed = document.getElementById("v-edition");
  for (const e of (info.editions || []).map((x) => (typeof x === "string" ? x : x.edition)).filter(Boolean)) ed.append(el("option", { value: e, text: e }));
  for (const [k, id] of [["year", "v-year"], ["measure", "v-measure"], ["edition", "v-edition"], ["from", "v-from"], ["to", "v-to"]]) {
    if (view[k]) document.getElementById(id).value = view[k];
  }
  f.addEventListener("submit", () => { for (const i of f.querySelectorAll("input, select")) if (!i.value) i.disabled = true; });
}
