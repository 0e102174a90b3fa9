/* Claims page. From article text: post the pasted text to /api/v1/claims/extract (the
   rules of `critmin claims extract`), show each draft claim with its quoted sentence and
   editable fields, then post the edited draft (JSON, which is YAML) to /api/v1/claims/check.
   From a claims YAML: paste, upload or load the shipped example and post it to the same
   check. Either way: a verdict per claim with its figures, explanation and evidence. */
"use strict";

const VERDICT_LABEL = { supported: "supported", contradicted: "contradicted", not_checkable: "not checkable", not_independent: "not independent" };
/* The comparison operators of a claims file, in words (critmin.claims.result.OP_WORDS). */
const OP_LABEL = { eq: "about (=)", ge: "at least (≥)", le: "at most (≤)", gt: "more than (>)", lt: "less than (<)" };

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
  const thead = el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", { text: labelOf(c) })), el("th", { text: "Source" })));
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    for (const c of cols) {
      const v = r[c];
      // years, ranks and row numbers are identifiers: never thousands-separated
      const plain = typeof v === "number" && Number.isInteger(v) && isPlainColumn(c);
      tr.append(el("td", { class: typeof v === "number" ? "num" : "", text: plain ? String(v) : figure(v) }));
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
  const counts = { supported: 0, contradicted: 0, not_checkable: 0, not_independent: 0 };
  for (const r of rows) counts[r.verdict] = (counts[r.verdict] || 0) + 1;
  const kpi = (v, l, cls) => el("div", { class: "kpi " + cls }, el("div", { class: "v", text: String(v) }), el("div", { class: "l", text: l }));
  document.getElementById("cl-kpis").replaceChildren(
    kpi(counts.supported, "supported", "v-supported"),
    kpi(counts.contradicted, "contradicted", "v-contradicted"),
    kpi(counts.not_checkable, "not checkable", "v-not_checkable"),
    kpi(counts.not_independent, "not independent", "v-not_independent"));
  document.getElementById("cl-results").replaceChildren(...rows.map(claimCard));
  const flat = rows.map((r) => ({ id: r.id, type: r.type, verdict: r.verdict, claimed: r.claimed, computed: r.computed, unit: r.unit, text: r.text, explanation: r.explanation, sources: (r.sources || []).join("; ") }));
  document.getElementById("cl-tools").replaceChildren(csvBlobLink(flat, "claims-verdicts"));
}

/* Run `work` with its button disabled: its returned message, or its error, goes to `status`
   (data-done on success); the page is marked ready afterwards either way. */
async function withStatus(btnId, statusId, work) {
  const status = document.getElementById(statusId);
  const btn = document.getElementById(btnId);
  status.removeAttribute("data-done");
  btn.disabled = true;
  try {
    status.textContent = await work((msg) => { status.textContent = msg; });
    status.setAttribute("data-done", "true");
  } catch (err) {
    showError(status, err);
  } finally {
    btn.disabled = false;
    document.body.setAttribute("data-ready", "true");
  }
}

function apiKey() {
  const key = document.getElementById("cl-key").value;
  if (!key) throw new Error("give the API key");
  return key;
}

/* POST a claims document (YAML or JSON text) to /claims/check and show the verdicts. */
async function checkDocument(text, type, name) {
  const fd = new FormData();
  fd.append("file", new Blob([text], { type: type }), name);
  const rows = await getJSON(API + "/claims/check", { method: "POST", body: fd, headers: { "X-API-Key": apiKey() } });
  showClaims(rows);
  return rows;
}

function runClaims(ev) {
  ev.preventDefault();
  return withStatus("cl-run", "cl-status", async (say) => {
    apiKey();
    const text = document.getElementById("cl-text").value;
    if (!text.trim()) throw new Error("paste, upload or load a claims YAML first");
    say("checking…");
    const rows = await checkDocument(text, "application/yaml", "claims.yaml");
    return rows.length + " claims checked";
  });
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

/* ---- From article text: draft, edit, check ---------------------------------------- */

/* What a claimed figure is, by claim type (critmin.claims.spec); other types carry a unit. */
const CLAIMED_UNIT = { share: "fraction", rank: "rank", growth: "ratio", membership: "true or false" };

let DRAFT = null; // the last draft: { source, claims, editable }

function fieldText(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/* One editable field of a draft claim: a select for the operator, a text input otherwise. */
function draftInput(c, i, f) {
  const id = "dr-" + i + "-" + f;
  let input;
  if (f === "op") {
    input = el("select", { id: id, name: f, "data-field": f });
    for (const [k, words] of Object.entries(OP_LABEL)) {
      const o = el("option", { value: k, text: words });
      if ((c.op || "eq") === k) o.setAttribute("selected", "");
      input.append(o);
    }
  } else {
    input = el("input", { id: id, name: f, "data-field": f, value: fieldText(c[f]), size: f === "year" ? "6" : "12", autocomplete: "off" });
    if (["measure", "year", "tolerance"].includes(f)) input.setAttribute("placeholder", "default");
    if (f === "year") input.setAttribute("inputmode", "numeric");
  }
  const hint = f === "claimed" && CLAIMED_UNIT[c.type] ? " [" + CLAIMED_UNIT[c.type] + "]" : "";
  return el("label", { for: id }, labelOf(f, f === "tolerance") + hint, input);
}

function draftCard(c, i, editable) {
  const fields = editable[c.type] || [];
  const keep = el("input", { type: "checkbox", id: "dr-" + i + "-keep", "data-field": "_keep", checked: "" });
  const card = el("fieldset", { class: "draft t-" + c.type, "data-id": c.id, "data-type": c.type, "data-index": String(i) },
    el("legend", {}, el("code", { text: c.id }), " ", el("span", { class: "note", text: labelOf("claim_type") + ": " + c.type })),
    el("blockquote", { class: "quote", title: labelOf("claim_text"), text: c.text || "" }));
  const grid = el("div", { class: "draft-fields" }, ...fields.map((f) => draftInput(c, i, f)));
  grid.append(el("label", { class: "check", for: "dr-" + i + "-keep" }, keep, "check this claim"));
  card.append(grid);
  if (c.hedge) card.append(el("p", { class: "note", text: labelOf("hedge") + ": " + c.hedge }));
  if (c.reason) card.append(el("p", { class: "note reason", text: labelOf("reason") + ": " + c.reason }));
  if (c.note) card.append(el("p", { class: "note", text: labelOf("note") + ": " + c.note }));
  return card;
}

function showDraft(body) {
  DRAFT = body;
  const box = document.getElementById("dr-claims");
  box.replaceChildren(...body.claims.map((c, i) => draftCard(c, i, body.editable || {})));
  document.getElementById("dr-help").textContent =
    body.n_claims + " draft claims (" + body.n_untyped + " untyped: kept with the reason they cannot be checked). " +
    "Each is drafted by rules from its quoted sentence: check the commodity, country, measure, year, claimed value, " +
    "comparison and tolerance before checking. Leave a field empty to drop it (its default applies).";
  document.getElementById("draft-card").hidden = false;
}

/* The draft with the reader's edits: every field as typed (the server validates and converts). */
function editedDraft() {
  const claims = [];
  let left = 0;
  for (const card of document.querySelectorAll("#dr-claims fieldset.draft")) {
    const c = Object.assign({}, DRAFT.claims[Number(card.getAttribute("data-index"))]);
    if (!card.querySelector("[data-field=_keep]").checked) { left += 1; continue; }
    for (const input of card.querySelectorAll("input[data-field], select[data-field]")) {
      const f = input.getAttribute("data-field");
      if (f === "_keep") continue;
      const v = input.value.trim();
      if (v === "") delete c[f];
      else c[f] = v;
    }
    claims.push(c);
  }
  return { doc: { source: DRAFT.source, claims: claims }, left: left };
}

function extractArticle(ev) {
  ev.preventDefault();
  return withStatus("ar-extract", "ar-status", async (say) => {
    const key = apiKey();
    const text = document.getElementById("ar-text").value;
    const date = document.getElementById("ar-date").value.trim();
    if (!text.trim()) throw new Error("paste the article text first");
    say("drafting…");
    const payload = { text: text };
    if (date) payload.date = date;
    const body = await getJSON(API + "/claims/extract", {
      method: "POST", body: JSON.stringify(payload),
      headers: { "X-API-Key": key, "Content-Type": "application/json" },
    });
    await loadLabels();
    showDraft(body);
    return body.n_claims + " draft claims: review them below, then check";
  });
}

function checkDraft() {
  return withStatus("dr-check", "dr-status", async (say) => {
    apiKey();
    if (!DRAFT) throw new Error("draft the claims first");
    const { doc, left } = editedDraft();
    if (!doc.claims.length) throw new Error("every claim is unticked: tick at least one to check");
    say("checking…");
    const rows = await checkDocument(JSON.stringify(doc), "application/json", "draft.json");
    return rows.length + " claims checked" + (left ? " (" + left + " unticked, not checked)" : "");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("article-form").addEventListener("submit", extractArticle);
  document.getElementById("dr-check").addEventListener("click", checkDraft);
  document.getElementById("claims-form").addEventListener("submit", runClaims);
  document.getElementById("cl-load-example").addEventListener("click", loadExample);
  document.getElementById("cl-file").addEventListener("change", readUpload);
  document.body.setAttribute("data-loaded", "true");
});
