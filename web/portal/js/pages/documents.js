// Documents: newest first, filtered by type; a download asks the API for a short-lived link first.

import { get, saveLink } from "../../../shared/js/api.js";
import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate, humanize } from "../../../shared/js/money.js";
import { $, busy, h, showAlert, showApiError } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.documents;

await startPage({ title: C.title });

function size(bytes) {
  return bytes >= 1_048_576 ? C.megabytes((bytes / 1_048_576).toFixed(1)) : C.kilobytes(Math.max(1, Math.round(bytes / 1024)));
}

async function fetchDocument(doc, button) {
  const note = $("#download-status");
  const restore = busy(button, C.preparing);
  try {
    const link = await get(`/v1/portal/documents/${encodeURIComponent(doc.document_id)}`);
    saveLink(link.url, link.filename);
    showAlert(note, { type: "success", slim: true, text: C.downloading(doc.title) });
  } catch (error) {
    showApiError(error, { container: note, what: C.thisDocument });
  } finally {
    restore();
  }
}

function downloadButton(doc) {
  const button = h("button", { type: "button", class: "usa-button usa-button--unstyled", "aria-label": C.downloadOf(doc.title) }, C.download);
  button.addEventListener("click", () => fetchDocument(doc, button));
  return button;
}

async function show() {
  await pagedList($("#documents"), {
    path: "/v1/portal/documents",
    key: "documents",
    what: C.what,
    caption: C.caption,
    query: { type: $("#type").value || null },
    empty: C.empty,
    columns: [
      { label: C.columns.document, cell: (d) => d.title },
      { label: C.columns.type, cell: (d) => humanize(d.type) },
      { label: C.columns.date, cell: (d) => formatDate(d.date) },
      { label: C.columns.size, cell: (d) => C.size(d.content_type === "application/pdf" ? C.pdf : C.file, size(d.size)) },
      { label: C.columns.download, cell: downloadButton },
    ],
  });
}

$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
await show();
