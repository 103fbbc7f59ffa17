// Small bar charts as inline SVG, drawn here (no chart library). Each is an image with an accessible name and a
// one-line summary, and the same figures as a table just below it for anyone who cannot read the picture.

import { formatMoney } from "../../shared/js/money.js";
import { h, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children.filter(Boolean));
  return element;
}

let counter = 0;

/**
 * rows: [{label, amount (minor units), count}]; currency. horizontal: bars left to right with their labels
 * (departments, channels); otherwise columns over time (days), labelled every few days.
 */
export function barChart({ title, rows, currency, horizontal = false, labelHeader = COPY.charts.label }) {
  const id = `chart-${++counter}`;
  const max = Math.max(1, ...rows.map((r) => r.amount));
  const total = rows.reduce((sum, r) => sum + r.amount, 0);
  const busiest = rows.reduce((best, r) => (r.amount > (best?.amount ?? -1) ? r : best), null);
  const summary = rows.length
    ? COPY.charts.summary(rows.length, horizontal, formatMoney({ amount: total, currency }), busiest.label, formatMoney({ amount: busiest.amount, currency }))
    : COPY.charts.empty;
  let picture;
  if (horizontal) {
    const barHeight = 22;
    const gap = 10;
    const labelWidth = 150;
    const width = 600;
    const height = Math.max(1, rows.length) * (barHeight + gap) + gap;
    picture = svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc`, focusable: "false" },
      svg("title", { id: `${id}-title` }, title),
      svg("desc", { id: `${id}-desc` }, summary),
      ...rows.map((r, i) => {
        const y = gap + i * (barHeight + gap);
        const w = Math.max(1, Math.round(((width - labelWidth - 110) * r.amount) / max));
        return svg(
          "g",
          {},
          svg("text", { x: 0, y: y + barHeight * 0.7 }, r.label),
          svg("rect", { class: `bar${i % 2 ? " bar--alt" : ""}`, x: labelWidth, y, width: w, height: barHeight }),
          svg("text", { x: labelWidth + w + 6, y: y + barHeight * 0.7 }, formatMoney({ amount: r.amount, currency })),
        );
      }),
    );
  } else {
    const width = 720;
    const height = 220;
    const bottom = 30;
    const step = width / Math.max(1, rows.length);
    const every = Math.ceil(rows.length / 8);
    picture = svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc`, focusable: "false" },
      svg("title", { id: `${id}-title` }, title),
      svg("desc", { id: `${id}-desc` }, summary),
      svg("line", { class: "axis", x1: 0, y1: height - bottom, x2: width, y2: height - bottom }),
      ...rows.map((r, i) => {
        const barHeight = Math.round(((height - bottom - 10) * r.amount) / max);
        return svg(
          "g",
          {},
          r.amount ? svg("rect", { class: "bar", x: i * step + step * 0.15, y: height - bottom - barHeight, width: step * 0.7, height: barHeight }) : null,
          i % every === 0 ? svg("text", { x: i * step, y: height - 10 }, r.label) : null,
        );
      }),
    );
  }
  return h(
    "figure",
    { class: "chart", id },
    h("figcaption", { class: "text-bold margin-bottom-1" }, title),
    picture,
    h(
      "details",
      {},
      h("summary", {}, COPY.charts.asTable(title)),
      table({
        caption: title,
        captionHidden: true,
        rows,
        empty: COPY.charts.empty,
        columns: [
          { label: labelHeader, cell: (r) => r.label },
          { label: COPY.charts.payments, numeric: true, cell: (r) => String(r.count ?? "") },
          { label: COPY.charts.amount, numeric: true, cell: (r) => formatMoney({ amount: r.amount, currency }) },
        ],
      }),
    ),
  );
}
