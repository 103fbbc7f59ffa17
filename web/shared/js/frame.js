// What both front-ends' page frames share: loading the settings, USWDS's script, and a safe "next" page.

import { config } from "./config.js";
import { $, h, showAlert } from "./ui.js";

/** The normalised config.json; shows an error and rejects when it cannot load. appName: "portal", "console". */
export async function loadConfig(appName) {
  try {
    return await config();
  } catch {
    showAlert($("#page-alerts"), {
      type: "error",
      heading: `The ${appName} could not start`,
      text: "Its settings could not be loaded. Check your connection and reload the page.",
      focus: true,
    });
    throw new Error("config unavailable");
  }
}

/** USWDS binds the header's menu, its focus trap and accordions to what is in the page when it starts: call this
 * after the header is built rather than loading the script from the HTML. */
export function loadUswds() {
  if (document.querySelector("script[data-uswds]")) return;
  document.body.append(h("script", { src: "../vendor/uswds/js/uswds.min.js", "data-uswds": "1" }));
}

/** A page's "next" parameter, kept to a page of this front-end (never another site). */
export function safeNext(fallback) {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^[a-z][a-z-]*\.html(\?[\w=&%.,:-]*)?$/.test(next) && !next.startsWith("index.html") ? next : fallback;
}
