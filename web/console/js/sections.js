// Sections that load side by side and show up one by one: each holds a placeholder while its data is on the way
// (aria-busy, so assistive technology waits for it rather than reading half a section), sized like the content it
// stands for, so what is already shown does not jump when a section above it arrives.

import { h, showApiError } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

/** The placeholder of a section still loading; ``size`` names the room it keeps (console.css, .skeleton--*). */
export function placeholder(what, size = "") {
  return h("p", { class: `loading skeleton${size ? ` skeleton--${size}` : ""}` }, COPY.sections.loading(what.toLowerCase()));
}

/** Mark a section as loading, with its placeholder. */
export function pending(container, what, size = "") {
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(placeholder(what, size));
}

let loads = 0;

/**
 * Show a section's placeholder, then what ``load`` draws once its data is in (it may start its request before
 * this is called: pages start every section's request at once). A failure shows in the section alone. A load
 * that a newer one into the same section overtook draws nothing: ``load`` gets a ``current()`` to ask.
 */
export async function stream(container, what, load, size = "") {
  const mine = String(++loads);
  container.dataset.load = mine;
  const current = () => container.dataset.load === mine;
  pending(container, what, size);
  try {
    await load(current);
  } catch (error) {
    if (current()) showApiError(error, { container, what });
  } finally {
    if (current()) container.removeAttribute("aria-busy");
  }
}
