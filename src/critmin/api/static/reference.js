/* Built-in API reference rendered from /openapi.json (used when Swagger UI is not installed). */
"use strict";

async function referencePage() {
  const doc = await getJSON("/openapi.json");
  const box = document.getElementById("endpoints");
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => p.name + " (" + p.in + (p.required ? ", required" : "") + ")").join(", ");
      const key = (op.security || []).length ? " — key" : "";
      const title = method.toUpperCase() + " " + path + key;
      const head = method === "get" && !path.includes("{") && !key ? el("a", { href: path, text: title }) : title;
      box.append(el("section", { class: "card", style: "margin-bottom:0.6rem" },
        el("h2", {}, head),
        el("p", { text: op.summary || "" }),
        el("p", { class: "note", text: (op.description || "").split("\n")[0] }),
        params ? el("p", { class: "note", text: "parameters: " + params }) : null));
    }
  }
  document.body.setAttribute("data-ready", "true");
}

document.addEventListener("DOMContentLoaded", referencePage);
