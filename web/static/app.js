// fairmatch progressive enhancement. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Forms with data-confirm ask before submitting.
  for (const f of document.querySelectorAll("form[data-confirm]")) {
    f.addEventListener("submit", (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  }
  // Elements with data-events="URL" follow a server-sent event stream: each
  // event's JSON {message, done, total, state} updates the element's text
  // and an optional <progress> inside it; a "reload" event reloads the page.
  for (const el of document.querySelectorAll("[data-events]")) {
    const src = new EventSource(el.dataset.events);
    const bar = el.querySelector("progress");
    const text = el.querySelector("[data-text]") || el;
    src.addEventListener("progress", (e) => {
      const p = JSON.parse(e.data);
      if (bar && p.total > 0) { bar.max = p.total; bar.value = p.done; }
      text.textContent = p.message || "";
    });
    src.addEventListener("reload", () => { src.close(); window.location.reload(); });
  }
});
