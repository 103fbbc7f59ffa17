// What both front-ends' page frames share: loading the settings, USWDS's script, and a safe "next" page.

import { config } from "./config.js";
import { COPY } from "./shared-copy.js";
import { $, h, showAlert } from "./ui.js";

// No form of ours is ever submitted by the browser itself: each is sent by its page's script, over fetch. A form
// submitted before its page has bound it (Enter pressed while the settings still load) would otherwise go to the
// page's own URL, with what was typed in it (a password, an account number) in the request. This listener runs
// after the form's own (bubbling, on the document), so it only stops what no page script has handled. Before this
// module runs, the HTML itself keeps what was typed out of URLs: every form says method="post", and the forms that
// take a password keep their submit button disabled until their script has bound them (with the default button
// disabled, Enter in a field submits nothing).
document.addEventListener("submit", (event) => event.preventDefault());

/** The normalised config.json; shows an error and rejects when it cannot load. appName: "portal", "console". */
export async function loadConfig(appName) {
  try {
    return await config();
  } catch {
    showAlert($("#page-alerts"), {
      type: "error",
      heading: COPY.frame.couldNotStart(appName),
      text: COPY.frame.noSettings,
      focus: true,
    });
    throw new Error("config_unavailable"); // said above, in the page
  }
}

/** USWDS binds the header's menu, its focus trap and accordions to what is in the page when it starts: call this
 * after the header is built rather than loading the script from the HTML. */
export function loadUswds() {
  if (document.querySelector("script[data-uswds]")) return;
  // Subresource Integrity: the browser runs the vendored file only if it is the one committed (PCI DSS 6.4.3;
  // tests/browser/test_payment_page_scripts.py keeps the hash in step with web/vendor/).
  const script = h("script", { src: "../vendor/uswds/js/uswds.min.js", integrity: USWDS_SRI, "data-uswds": "1" });
  // The header's menu works once USWDS has run: say so on <html> (the browser tests wait for it before a tap).
  script.addEventListener("load", () => {
    document.documentElement.dataset.uswds = "ready";
  });
  document.body.append(script);
}

export const USWDS_SRI = "sha384-lol3mZsCCEf0F2Sryzw870KbjAYgKOgHgYqrpWxPBN0uhXwXEwY3cSrS1u0aezLU";

/** A page's "next" parameter, kept to a page of this front-end (never another site). */
export function safeNext(fallback) {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^[a-z][a-z-]*\.html(\?[\w=&%.,:-]*)?$/.test(next) && !next.startsWith("index.html") ? next : fallback;
}
