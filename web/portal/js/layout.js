// The frame every portal page shares: the USWDS header with the agency's name and the navigation, the footer, the
// sign-in guard and the page title. Pages call startPage() first and build their content inside <main>.

import { loadConfig, loadUswds, safeNext as keptNext } from "../../shared/js/frame.js";
import { configureAuth, isSignedIn, session, signOut } from "../../shared/js/auth.js";
import { signInUrl } from "../../shared/js/api.js";
import { $, h } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

export { section } from "../../shared/js/ui.js";

configureAuth({
  name: "portal",
  clientId: (cfg) => cfg.customerClientId,
  audience: "customer",
  wrongAudience: COPY.frame.wrongAudience,
  redirects: { account_not_linked: "link.html" },
});

const NAV = [
  ["dashboard.html", COPY.frame.nav.overview],
  ["invoices.html", COPY.frame.nav.invoices],
  ["pay.html", COPY.frame.nav.pay],
  ["payments.html", COPY.frame.nav.payments],
  ["statements.html", COPY.frame.nav.statements],
];
const MORE = [
  ["schedules.html", COPY.frame.nav.schedules],
  ["documents.html", COPY.frame.nav.documents],
  ["credit-notes.html", COPY.frame.nav.creditNotes],
  ["sales-orders.html", COPY.frame.nav.salesOrders],
  ["profile.html", COPY.frame.nav.profile],
];
const PUBLIC_NAV = [
  ["index.html", COPY.frame.nav.signIn],
  ["signup.html", COPY.frame.nav.signUp],
  ["guest.html", COPY.frame.nav.guest],
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
          h("span", {}, COPY.frame.more),
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
        h("button", { type: "button", class: "usa-button usa-button--outline sign-out", id: "sign-out" }, COPY.frame.signOut),
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
          h("em", { class: "usa-logo__text" }, h("a", { href: home }, cfg.agencyName, h("span", { class: "usa-sr-only" }, COPY.frame.home))),
        ),
        h("button", { type: "button", class: "usa-menu-btn" }, COPY.frame.menu),
      ),
      h(
        "nav",
        { "aria-label": COPY.frame.primaryNavigation, class: "usa-nav" },
        h(
          "button",
          { type: "button", class: "usa-nav__close" },
          h("img", { src: "../vendor/uswds/img/usa-icons/close.svg", role: "img", alt: COPY.frame.closeMenu }),
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
      COPY.frame.footer(cfg.agencyName),
      user?.email ? COPY.frame.signedInAs(user.email) : "",
      cfg.local ? COPY.frame.localDemo : "",
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
  document.title = COPY.frame.titleLoading(title);
  if (signedIn && !isSignedIn()) {
    location.replace(signInUrl());
    return new Promise(() => {});
  }
  const cfg = await loadConfig("portal");
  document.title = COPY.frame.title(title, cfg.agencyName);
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
