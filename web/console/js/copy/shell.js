// The console's words around the pages: the sign-in page, a section's placeholder and the charts. Part of
// COPY (../copy.js), in a file of its own to keep each file short.

export const SHELL = {
  signIn: {
    title: "Sign in",
    notSetUp: "This staff account is not set up yet. Ask an administrator.",
  },
  sections: {
    loading: (what) => `Loading ${what}…`,
  },
  charts: {
    label: "Label",
    summary: (count, horizontal, total, busiest, most) =>
      `${count} ${horizontal ? "groups" : "days"}, ${total} in all; the most: ${busiest}, ${most}.`,
    empty: "No collections in this range.",
    asTable: (title) => `${title}: the figures as a table`,
    payments: "Payments",
    amount: "Amount",
  },
};
