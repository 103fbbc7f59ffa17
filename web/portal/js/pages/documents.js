// Documents: newest first, filtered by type; a download asks the API for a short-lived link first.

import { get, saveLink } from "../../../shared/js/api.js";
import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate, humanize } from "../../../shared/js/money.js";
import { $, busy, h, showAlert, showApiError } from "../../../shared/js/ui.js";

await startPage({ title: "Documents" });

function size(bytes) {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

async function fetchDocument(doc, button) {
  const note = $("#download-status");
  const restore = busy(button, "Preparing…");
  try {
    const link = await get(`/v1/portal/documents/${encodeURIComponent(doc.document_id)}`);
    saveLink(link.url, link.filename);
    showAlert(note, { type: "success", slim: true, text: `${doc.title} is downloading.` });
  } catch (error) {
    showApiError(error, { container: note, what: "This document" });
  } finally {
    restore();
  }
}

function downloadButton(doc) {
  const button = h("button", { type: "button", class: "usa-button usa-button--unstyled", "aria-label": `Download ${doc.title}` }, "Download");
  button.addEventListener("click", () => fetchDocument(doc, button));
  return button;
}

async function show() {
  await pagedList($("#documents"), {
    path: "/v1/portal/documents",
    key: "documents",
    what: "Documents",
    caption: "Your documents",
    query: { type: $("#type").value || null },
    empty: "No documents yet. Receipts appear here after you pay, statements after you ask for one.",
    columns: [
      { label: "Document", cell: (d) => d.title },
      { label: "Type", cell: (d) => humanize(d.type) },
      { label: "Date", cell: (d) => formatDate(d.date) },
      { label: "Size", cell: (d) => `${d.content_type === "application/pdf" ? "PDF" : "File"}, ${size(d.size)}` },
      { label: "Download", cell: downloadButton },
    ],
  });
}

$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
await show();
