// Enrolling an authenticator app: the otpauth:// address of a TOTP secret drawn as a QR code in the page (the
// vendored qrcode-generator module: no outside service ever sees the secret), and the secret as text, in groups of
// four, for typing in by hand. Shared by the console's first sign-in and the portal's profile.

import qrcode from "../../vendor/qrcode-generator/qrcode.js";
import { COPY } from "./shared-copy.js";
import { h } from "./ui.js";

/** The address authenticator apps read (Google's Key Uri Format): issuer and account name, SHA-1, 6 digits, 30 s. */
export function otpauthUri({ issuer, account, secret }) {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: "SHA1", digits: "6", period: "30" });
  return `otpauth://totp/${label}?${query}`;
}

/** An SVG of the QR code of ``text``: one path of dark modules, a quiet zone of four, named for screen readers. */
export function qrSvg(text, name) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const size = count + 8;
  let path = "";
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (code.isDark(row, col)) path += `M${col + 4} ${row + 4}h1v1h-1z`;
    }
  }
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", "200");
  svg.setAttribute("height", "200");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", name);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(ns, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const modules = document.createElementNS(ns, "path");
  modules.setAttribute("d", path);
  modules.setAttribute("fill", "#000");
  svg.append(background, modules);
  return svg;
}

/** The secret as people copy it: upper case, in groups of four. */
export function groupedSecret(secret) {
  return secret.toUpperCase().replace(/(.{4})(?=.)/g, "$1 ");
}

/** Fill ``container`` with the QR code and the key to type, for ``account`` at ``issuer``. */
export function showTotpSecret(container, { issuer, account, secret }) {
  const uri = otpauthUri({ issuer, account, secret });
  container.replaceChildren(
    h("div", { class: "totp-qr margin-y-2" }, qrSvg(uri, COPY.totp.qr(account, issuer))),
    h(
      "p",
      {},
      COPY.totp.byHand,
      h("code", { class: "totp-secret", dataset: { secret } }, groupedSecret(secret)),
    ),
  );
}
