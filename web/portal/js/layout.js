// The frame every portal page shares: the USWDS header with the agency's name and the navigation, the footer, the
// sign-in guard and the page title. Pages call startPage() first and build their content inside <main>.

import { loadConfig, loadUswds, safeNext as keptNext } from "../../shared/js/frame.js";
import { configureAuth, isSignedIn, session, signOut } from "../../shared/js/auth.js";
import { signInUrl } from "../../shared/js/api.js";
import { $, h } from "../../shared/js/ui.js";

export { section } from "../../shared/js/ui.js";

configureAuth({
  name: "portal",
  clientId: (cfg) => cfg.customerClientId,
  audience: "customer",
  wrongAudience: "This is the customer portal. Staff members sign in at the staff console.",
  redirects: { account_not_linked: "link.html" },
});

const NAV = [
  ["dashboard.html", "Overview"],
  ["invoices.html", "Invoices"],
  ["pay.html", "Make a payment"],
  ["payments.html", "Payments"],
  ["statements.html", "Statements"],
];
const MORE = [
  ["schedules.html", "Autopay and plans"],
  ["documents.html", "Documents"],
  ["credit-notes.html", "Credit notes"],
  ["sales-orders.html", "Sales orders"],
  ["profile.html", "Profile and notifications"],
];
const PUBLIC_NAV = [
  ["index.html", "Sign in"],
  ["signup.html", "Create an account"],
  ["guest.html", "Pay without an account"],
];

function current() {
  return location.pathname.split("/").pop() || "index.html";
}

function navLink(href, text) {
  const here = current() === href;
  return h(
    "a",
    { href, class: `usa-nav-link${here ? " usa-current" : ""}`, "aria-current": here ? "page" : null },
    h("span", {}, text),
  );
}

function header(cfg, signedIn) {
  const items = (signedIn ? NAV : PUBLIC_NAV).map(([href, text]) =>
    h("li", { class: "usa-nav__primary-item" }, navLink(href, text)),
  );
  if (signedIn) {
    const open = MORE.some(([href]) => href === current());
    items.push(
      h(
        "li",
        { class: "usa-nav__primary-item" },
        h(
          "button",
          {
            type: "button",
            class: `usa-accordion__button usa-nav__link${open ? " usa-current" : ""}`,
            "aria-expanded": "false",
            "aria-controls": "nav-more",
          },
          h("span", {}, "More"),
        ),
        h(
          "ul",
          { id: "nav-more", class: "usa-nav__submenu", hidden: true },
          MORE.map(([href, text]) => h("li", { class: "usa-nav__submenu-item" }, navLink(href, text))),
        ),
      ),
      h(
        "li",
        { class: "usa-nav__primary-item" },
        h("button", { type: "button", class: "usa-button usa-button--outline sign-out", id: "sign-out" }, "Sign out"),
      ),
    );
  }
  const home = signedIn ? "dashboard.html" : "index.html";
  return [
    h(
      "div",
      { class: "usa-nav-container" },
      h(
        "div",
        { class: "usa-navbar" },
        h(
          "div",
          { class: "usa-logo" },
          h("em", { class: "usa-logo__text" }, h("a", { href: home }, cfg.agencyName, h("span", { class: "usa-sr-only" }, " home"))),
        ),
        h("button", { type: "button", class: "usa-menu-btn" }, "Menu"),
      ),
      h(
        "nav",
        { "aria-label": "Primary navigation", class: "usa-nav" },
        h(
          "button",
          { type: "button", class: "usa-nav__close" },
          h("img", { src: "../vendor/uswds/img/usa-icons/close.svg", role: "img", alt: "Close menu" }),
        ),
        h("ul", { class: "usa-nav__primary usa-accordion" }, items),
      ),
    ),
  ];
}

function footer(cfg, signedIn) {
  const user = signedIn ? session() : null;
  return h(
    "div",
    { class: "grid-container" },
    h(
      "p",
      { class: "margin-y-2" },
      `${cfg.agencyName} payments portal.`,
      user?.email ? ` Signed in as ${user.email}.` : "",
      cfg.local ? " Local demo: no real money moves." : "",
    ),
  );
}

/** A page's "next" parameter, kept to a page of this portal (never another site). */
export function safeNext(fallback = "dashboard.html") {
  return keptNext(fallback);
}

/**
 * Build the frame. signedIn: true for customer pages (redirects to sign-in when there is no session);
 * false for public pages. Resolves to the normalised config; shows an error and rejects when it cannot load.
 */
export async function startPage({ title, signedIn = true }) {
  document.title = `${title} | Payments portal`;
  if (signedIn && !isSignedIn()) {
    location.replace(signInUrl());
    return new Promise(() => {});
  }
  const cfg = await loadConfig("portal");
  document.title = `${title} | ${cfg.agencyName} payments`;
  const top = $("#site-header");
  top.classList.add("usa-header", "usa-header--basic");
  top.replaceChildren(...header(cfg, signedIn));
  top.after(h("div", { class: "usa-overlay" }));
  $("#site-footer").classList.add("usa-footer", "usa-footer--slim");
  $("#site-footer").replaceChildren(footer(cfg, signedIn));
  $("#sign-out")?.addEventListener("click", async () => {
    await signOut();
    location.assign("index.html?signed_out=1");
  });
  loadUswds();
  return cfg;
}
