// The frame every console page shares: the USWDS header with the navigation, who is signed in and in which role,
// the footer, and the sign-in guard. Pages call startPage() first and build their content inside <main>.

import { loadConfig, loadUswds, safeNext as keptNext } from "../../shared/js/frame.js";
import { configureAuth, isSignedIn, session, signOut } from "../../shared/js/auth.js";
import { signInUrl } from "../../shared/js/api.js";
import { $, h } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";
import { can, roleNames } from "./roles.js";

configureAuth({
  name: "console",
  clientId: (cfg) => cfg.staffClientId,
  audience: "staff",
  wrongAudience: COPY.frame.wrongAudience,
});

// [page, text, permission it needs (null: every staff member), permission that hides it (reached another way)]
const NAV = [
  ["search.html", COPY.frame.nav.search, "customers.read"],
  ["dashboard.html", COPY.frame.nav.dashboard, "reports.read"],
  ["approvals.html", COPY.frame.nav.approvals, null],
  ["finance-payouts.html", COPY.frame.nav.finance, "finance.read"],
  // A cashier closes their own drawer; finance reaches the close-out through "Finance" (the deposits page).
  ["finance-deposits.html", COPY.frame.nav.closeDrawer, "drawer.close", "finance.read"],
  ["connected-systems.html", COPY.frame.nav.connectedSystems, "integrations.manage"],
  ["imports.html", COPY.frame.nav.imports, "integrations.manage"],
  ["webhooks.html", COPY.frame.nav.webhooks, "integrations.manage"],
  ["staff-members.html", COPY.frame.nav.staff, "staff.invite"],
];
const FINANCE_PAGES = /^finance-/; // one "Finance" entry is current on each of its pages

function current() {
  return location.pathname.split("/").pop() || "index.html";
}

/** May the signed-in staff member do this? For showing or hiding actions only: the API decides. */
export function allowed(permission) {
  return can(session()?.groups, permission);
}

function navLink(href, text) {
  const here = current() === href || (text === COPY.frame.nav.finance && FINANCE_PAGES.test(current()));
  return h(
    "a",
    { href, class: `usa-nav-link${here ? " usa-current" : ""}`, "aria-current": here ? "page" : null },
    h("span", {}, text),
  );
}

function header(cfg, signedIn) {
  const items = signedIn
    ? NAV.filter(([, , permission, hiddenBy]) => (!permission || allowed(permission)) && !(hiddenBy && allowed(hiddenBy))).map(([href, text]) =>
        h("li", { class: "usa-nav__primary-item" }, navLink(href, text)),
      )
    : [];
  if (signedIn) {
    items.push(
      h(
        "li",
        { class: "usa-nav__primary-item" },
        h("button", { type: "button", class: "usa-button usa-button--outline sign-out", id: "sign-out" }, COPY.frame.signOut),
      ),
    );
  }
  const user = signedIn ? session() : null;
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
          h(
            "em",
            { class: "usa-logo__text" },
            h("a", { href: signedIn ? "search.html" : "index.html" }, COPY.frame.logo(cfg.agencyName), h("span", { class: "usa-sr-only" }, COPY.frame.home)),
          ),
        ),
        signedIn ? h("button", { type: "button", class: "usa-menu-btn" }, COPY.frame.menu) : null,
      ),
      signedIn
        ? h(
            "nav",
            { "aria-label": COPY.frame.primaryNavigation, class: "usa-nav" },
            h(
              "button",
              { type: "button", class: "usa-nav__close" },
              h("img", { src: "../vendor/uswds/img/usa-icons/close.svg", role: "img", alt: COPY.frame.closeMenu }),
            ),
            h("ul", { class: "usa-nav__primary usa-accordion" }, items),
            h(
              "p",
              { class: "staff-identity", id: "staff-identity" },
              h("span", { class: "usa-sr-only" }, COPY.frame.signedInAs),
              h("strong", {}, user?.name || user?.email || COPY.frame.staffMember),
              " ",
              h("span", { class: "usa-tag tag--info" }, roleNames(user?.groups)),
            ),
          )
        : null,
    ),
  ];
}

function footer(cfg) {
  return h(
    "div",
    { class: "grid-container" },
    h("p", { class: "margin-y-2" }, COPY.frame.footer(cfg.agencyName), cfg.local ? COPY.frame.localDemo : ""),
  );
}

/** A page's "next" parameter, kept to a page of this console (never another site). */
export function safeNext(fallback = "search.html") {
  return keptNext(fallback);
}

/** Build the frame; signedIn false for the sign-in page. Resolves to the normalised config. */
export async function startPage({ title, signedIn = true }) {
  document.title = COPY.frame.titleLoading(title);
  if (signedIn && !isSignedIn()) {
    location.replace(signInUrl());
    return new Promise(() => {});
  }
  const cfg = await loadConfig("console");
  document.title = COPY.frame.title(title, cfg.agencyName);
  const top = $("#site-header");
  top.classList.add("usa-header", "usa-header--basic");
  top.replaceChildren(...header(cfg, signedIn));
  top.after(h("div", { class: "usa-overlay" }));
  $("#site-footer").classList.add("usa-footer", "usa-footer--slim");
  $("#site-footer").replaceChildren(footer(cfg));
  $("#sign-out")?.addEventListener("click", async () => {
    await signOut();
    location.assign("index.html?signed_out=1");
  });
  loadUswds();
  return cfg;
}
