/* Claims page: paste, upload or load the shipped claims YAML, post it with the key to
   /api/v1/claims/check, show a verdict per claim with its figures, explanation and evidence. */
"use strict";

const VERDICT_LABEL = { supported: "supported", contradicted: "contradicted", not_checkable: "not checkable" };

function figure(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return fmtNum(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "object") return Object.entries(v).map(([k, x]) => k + ": " + figure(x)).join(", ");
  return String(v);
}

/* A source cell: a plain-text title, and a link only for http(s) URLs (no request is made). */
function sourceCell(row) {
  const td = el("td");
  const title = row.source_title || row.source_id || "";
  if (title) td.append(document.createTextNode(title));
  if (typeof row.source_url === "string" && /^https?:\/\//i.test(row.source_url)) {
    td.append(" ", el("a", { href: row.source_url, rel: "noopener noreferrer", target: "_blank", text: "link" }));
  }
  return td;
}

function evidenceTable(rows) {
  const skip = new Set(["source_title", "source_url", "source_id"]);
  const cols = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!skip.has(k) && !cols.includes(k)) cols.push(k);
  const thead = el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", { text: c })), el("th", { text: "source" })));
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    for (const c of cols) {
      const v = r[c];
      tr.append(el("td", { class: typeof v === "number" ? "num" : "", text: figure(v) }));
    }
    tr.append(sourceCell(r));
    tbody.append(tr);
  }
  return el("table", { class: "evidence" }, thead, tbody);
}

function claimCard(c) {
  const v = c.verdict || "not_checkable";
  const unit = c.unit ? " " + c.unit : "";
  const card = el("article", { class: "claim v-" + v, "data-verdict": v, "data-id": c.id || "" },
    el("div", { class: "claim-head" },
      el("span", { class: "verdict v-" + v, text: VERDICT_LABEL[v] || v }),
      el("code", { text: c.id || "" }),
      el("span", { class: "note", text: c.type || "" })),
    el("blockquote", { text: c.text || "" }),
    el("p", { class: "figures" },
      el("span", { text: "claimed: " }), el("strong", { class: "claimed", text: figure(c.claimed) + (c.claimed !== null && typeof c.claimed !== "object" ? unit : "") }),
      el("span", { text: " · computed: " }), el("strong", { class: "computed", text: figure(c.computed) + (c.computed !== null && typeof c.computed !== "object" ? unit : "") })),
    el("p", { class: "explanation", text: c.explanation || "" }));
  if (c.assumptions && c.assumptions.length) card.append(el("p", { class: "note", text: "assumptions: " + c.assumptions.join("; ") }));
  if (c.sources && c.sources.length) card.append(el("p", { class: "note", text: "sources: " + c.sources.join("; ") }));
  const ev = c.evidence || [];
  if (ev.length) {
    card.append(el("details", { class: "evidence" },
      el("summary", { text: "evidence (" + ev.length + (ev.length === 1 ? " row)" : " rows)") }),
      el("div", { class: "scroll" }, evidenceTable(ev))));
  } else {
    card.append(el("p", { class: "note", text: "no evidence rows" }));
  }
  return card;
}

function showClaims(rows) {
  const counts = { supported: 0, contradicted: 0, not_checkable: 0 };
  for (const r of rows) counts[r.verdict] = (counts[r.verdict] || 0) + 1;
  const kpi = (v, l, cls) => el("div", { class: "kpi " + cls }, el("div", { class: "v", text: String(v) }), el("div", { class: "l", text: l }));
  document.getElementById("cl-kpis").replaceChildren(
    kpi(counts.supported, "supported", "v-supported"),
    kpi(counts.contradicted, "contradicted", "v-contradicted"),
    kpi(counts.not_checkable, "not checkable", "v-not_checkable"));
  document.getElementById("cl-results").replaceChildren(...rows.map(claimCard));
  const flat = rows.map((r) => ({ id: r.id, type: r.type, verdict: r.verdict, claimed: r.claimed, computed: r.computed, unit: r.unit, text: r.text, explanation: r.explanation, sources: (r.sources || []).join("; ") }));
  document.getElementById("cl-tools").replaceChildren(csvBlobLink(flat, "claims-verdicts"));
}

async function runClaims(ev) {
  ev.preventDefault();
  const status = document.getElementById("cl-status");
  const btn = document.getElementById("cl-run");
  const key = document.getElementById("cl-key").value;
  const text = document.getElementById("cl-text").value;
  status.removeAttribute("data-done");
  btn.disabled = true;
  try {
    if (!key) throw new Error("give the API key");
    if (!text.trim()) throw new Error("paste, upload or load a claims YAML first");
    status.textContent = "checking…";
    const fd = new FormData();
    fd.append("file", new Blob([text], { type: "application/yaml" }), "claims.yaml");
    const rows = await getJSON(API + "/claims/check", { method: "POST", body: fd, headers: { "X-API-Key": key } });
    showClaims(rows);
    status.textContent = rows.length + " claims checked";
    status.setAttribute("data-done", "true");
  } catch (err) {
    showError(status, err);
  } finally {
    btn.disabled = false;
    document.body.setAttribute("data-ready", "true");
  }
}

async function loadExample() {
  const status = document.getElementById("cl-status");
  try {
    const r = await fetch(API + "/examples/claims");
    if (!r.ok) throw new Error("the shipped example is not available (" + r.status + ")");
    document.getElementById("cl-text").value = await r.text();
    status.textContent = "loaded examples/kazakhstan-2025/claims.yaml";
  } catch (err) {
    showError(status, err);
  }
}

function readUpload() {
  const f = document.getElementById("cl-file").files[0];
  if (!f) return;
  f.text().then((t) => { document.getElementById("cl-text").value = t; });
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("claims-form").addEventListener("submit", runClaims);
  document.getElementById("cl-load-example").addEventListener("click", loadExample);
  document.getElementById("cl-file").addEventListener("change", readUpload);
  document.body.setAttribute("data-loaded", "true");
});
