// Money is an integer of minor units plus an ISO 4217 currency, here as in the API: never a float.
// Formatting hands Intl a decimal STRING built from the integer, so no binary fraction is ever involved.

const LOCALE = "en-US";

export function minorDigits(currency) {
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

/** "1234" minor units of USD -> "12.34" (a plain decimal string, for inputs). */
export function toDecimal(amount, currency) {
  // A bug in the caller, not something a person can fix: the code is for whoever reads the console.
  if (!Number.isSafeInteger(amount)) throw new TypeError(`amount_not_integer: ${amount}`);
  const digits = minorDigits(currency);
  const sign = amount < 0 ? "-" : "";
  const text = String(Math.abs(amount)).padStart(digits + 1, "0");
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** {amount: 1234, currency: "USD"} -> "$12.34". */
export function formatMoney(money) {
  const { amount, currency } = money;
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).format(toDecimal(amount, currency));
}

/** What a person typed ("1,234.5", "$20") -> minor units, or null when it is not an amount of this currency. */
export function parseAmount(text, currency) {
  const digits = minorDigits(currency);
  const cleaned = String(text).trim().replace(/^\$/, "").replace(/,(?=\d{3}(\D|$))/g, "");
  const pattern = digits === 0 ? /^(\d{1,13})$/ : new RegExp(`^(\\d{1,13})(?:\\.(\\d{1,${digits}}))?$`);
  const match = pattern.exec(cleaned);
  if (!match) return null;
  const fraction = (match[2] || "").padEnd(digits, "0");
  const value = Number(match[1] + fraction);
  return Number.isSafeInteger(value) ? value : null;
}

const dateFormat = new Intl.DateTimeFormat(LOCALE, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
// Instants are shown in the agency's zone, named (CST / CDT), whatever the reader's own: config.js sets it from
// config.json once it is read; until then they show in UTC, and say so.
const instantOptions = { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" };
let dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { ...instantOptions, timeZone: "UTC" });

/** The agency's IANA zone for every instant shown from now on (an unknown zone leaves it as it was). */
export function setTimeZone(zone) {
  try {
    dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { ...instantOptions, timeZone: zone });
  } catch {
    // a zone this browser does not know: keep the last good one rather than break every page
  }
}

/** "2026-12-06" -> "Dec 6, 2026" (a calendar date: no time zone may shift it a day). */
export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant, in the agency's time zone, named: "Dec 3, 2026, 8:32 AM CST". */
export function formatDateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : "";
}

/** Today as YYYY-MM-DD in UTC: the API's "today", so a default range never ends in its future. */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** YYYY-MM-DD plus or minus whole days. */
export function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Words people read: "partially_paid" -> "Partially paid". */
export function humanize(code) {
  const text = String(code || "").replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
