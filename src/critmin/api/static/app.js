/* critmin dashboard helpers (vanilla JS, no build step). Everything is fetched from this server. */
"use strict";

const API = "/api/v1";
const QUAL_LABEL = {
  withheld: "W (withheld)",
  not_available: "NA",
  negligible: "< 0.5 unit",
  qualitative: "qualitative",
  included_elsewhere: "in aggregate",
};

/* Labels not in the server's registry (/api/v1/labels, shared with the briefing): risk
   methods and a few names the pages build. The one place for labels in the dashboard. */
const LOCAL_LABELS = {
  method_eu: "EU criticality (2023)",
  method_eu2020: "EU criticality (2020)",
  method_usgs: "USGS supply risk",
  method_geopolrisk: "GeoPolRisk",
  method_hhi: "HHI of production",
};
let LABELS = { columns: {}, metrics: {}, plain: [] };

/* Human label of a column, metric or identifier: registry, local list, then a readable form. */
/* Years and identifiers (the label registry's `plain` list, and the same name rules). */
function isPlainColumn(name) {
  return (LABELS.plain || []).includes(name) || /(^|_)(year|row|id|line)$|^rank(_p\d+)?$|^iso[23]$/.test(String(name));
}

function labelOf(name, withUnit) {
  if (name === null || name === undefined) return "—";
  const e = LABELS.metrics[name] || LABELS.columns[name];
  if (e) return e.label + (withUnit && e.unit ? " [" + e.unit + "]" : "");
  if (LOCAL_LABELS[name]) return LOCAL_LABELS[name];
  const s = String(name).replace(/^mcs\d{4}_/, "").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function loadLabels() {
  if (!window.__critminLabels) {
    window.__critminLabels = fetch(API + "/labels").then((r) => (r.ok ? r.json() : null)).then((j) => { if (j) LABELS = j; }).catch(() => {});
  }
  return window.__critminLabels;
}

/* Query parameters of the page URL (so a view can be shared); only the names asked for. */
function urlParams(names) {
  const u = new URLSearchParams(location.search);
  const out = {};
  for (const n of names) { const v = u.get(n); if (v !== null && v !== "") out[n] = v; }
  return out;
}

/* A user-imported row (critmin data import) is marked wherever it is shown. */
function isUserRow(r) {
  return !!r && (r.user_row === true || (typeof r.source_id === "string" && r.source_id.startsWith("user")));
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function getJSON(path, opts) {
  const r = await fetch(path, opts);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const msg = body && body.detail ? body.detail : r.status + " " + r.statusText;
    const err = new Error(msg);
    err.status = r.status;
    throw err;
  }
  return body;
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x));
    else u.append(k, v);
  }
  const s = u.toString();
  return s ? "?" + s : "";
}

function csvLink(path, params) {
  return el("a", { href: path + qs(Object.assign({}, params, { format: "csv" })), download: "", class: "csv", text: "CSV" });
}

function fmtNum(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  const d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4) : digits;
  return Number(v).toLocaleString("en-US", { maximumFractionDigits: d });
}

function fmtQty(v, unit) {
  return v === null || v === undefined ? "—" : fmtNum(v) + (unit ? " " + unit : "");
}

function fmtShare(v) {
  return v === null || v === undefined ? "—" : (100 * v).toFixed(2) + " %";
}

/* Value cell text: withheld and other qualifiers as words, bounds with > or <, never 0. */
function valueText(row) {
  const v = row.value_t !== undefined ? row.value_t : row.value;
  const unit = row.value_t !== undefined ? "t" : row.unit;
  if ((v === null || v === undefined) && QUAL_LABEL[row.qualifier]) return QUAL_LABEL[row.qualifier];
  if (row.qualifier === "lower_bound") return "> " + fmtQty(v, unit);
  if (row.qualifier === "upper_bound") return "< " + fmtQty(v, unit);
  return fmtQty(v, unit);
}

function showError(container, err) {
  container.replaceChildren(el("p", { class: "error", role: "alert", text: err.message || String(err) }));
}

function plotConfig(filename) {
  return {
    responsive: true,
    displaylogo: false,
    topojsonURL: "/assets/topojson/",
    toImageButtonOptions: { format: "png", filename: filename, scale: 2 },
    modeBarButtonsToRemove: ["sendDataToCloud"],
  };
}

function plot(id, data, layout, filename) {
  const base = { margin: { l: 60, r: 20, t: 30, b: 50 }, font: { size: 12 } };
  return Plotly.newPlot(id, data, Object.assign(base, layout), plotConfig(filename)).then(() => {
    document.getElementById(id).setAttribute("data-rendered", "true");
  });
}

function table(rows, cols, rowClass) {
  const thead = el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", { class: c.num ? "num" : "", text: c.label }))));
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr", { class: ((rowClass ? rowClass(r) : "") + (isUserRow(r) ? " user-row" : "")).trim() });
    for (const c of cols) {
      let txt = c.fmt ? c.fmt(r) : r[c.key] === null || r[c.key] === undefined ? "—" : String(r[c.key]);
      if (c.key === "country" && isUserRow(r)) txt += " (your data)";
      const cls = (c.num ? "num " : "") + (c.cls ? c.cls(r) : "");
      tr.append(el("td", { class: cls.trim(), text: txt }));
    }
    tbody.append(tr);
  }
  return el("div", { class: "xscroll" }, el("table", {}, thead, tbody));
}

async function health() {
  if (!window.__critminHealth) window.__critminHealth = getJSON(API + "/health");
  return window.__critminHealth;
}

function header() {
  const h = document.querySelector("header");
  if (!h) return;
  h.replaceChildren(
    el("a", { class: "brand", href: "/", text: "critmin" }),
    el("a", { href: "/commodity/gallium", text: "Commodity" }),
    el("a", { href: "/country/Kazakhstan", text: "Country" }),
    el("a", { href: "/what-if", text: "What-if" }),
    el("a", { href: "/risk", text: "Risk", "data-nav": "risk" }),
    el("a", { href: "/docs", text: "API" })
  );
  health().then((hh) => {
    const m = hh.modules || {};
    const optional = [
      ["scenarios", "/scenario", "Scenario"],
      ["claims", "/claims", "Claims"],
      ["geostats", "/deposit", "Deposit"],
      ["valuation", "/project", "Project valuation"],
    ];
    for (const [mod, href, text] of optional) {
      if (m[mod]) h.insertBefore(el("a", { href: href, text: text, "data-nav": mod }), h.lastChild);
    }
    h.setAttribute("data-nav-ready", "true");
  }).catch(() => {});
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/* A CSV download link of rows already in the page (a blob: URL, nothing is fetched). */
function csvBlobLink(rows, name) {
  if (!rows || !rows.length) return null;
  const cols = Object.keys(rows[0]);
  const esc = (v) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  const text = [cols.join(",")].concat(rows.map((r) => cols.map((c) => esc(r[c])).join(","))).join("\n");
  return el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: name + ".csv", class: "csv", text: "CSV" });
}

/* Poll a job until it is done or failed; returns its result document. */
async function waitForJob(job, headers, onStatus) {
  for (let i = 0; i < 900 && (job.status === "queued" || job.status === "running"); i++) {
    await sleep(i < 10 ? 300 : 1000);
    job = await getJSON(API + "/jobs/" + job.job_id, { headers: headers });
    if (onStatus) onStatus(job);
  }
  if (job.status !== "done") throw new Error(job.error || "the run did not finish");
  const res = await getJSON(API + "/jobs/" + job.job_id + "/result", { headers: headers });
  return { job: job, result: res };
}

function pathArg(prefix) {
  const p = decodeURIComponent(location.pathname);
  return p.startsWith(prefix) ? p.slice(prefix.length) : "";
}

loadLabels();
document.addEventListener("DOMContentLoaded", header);
