// The console's words around the pages: the frame (navigation, footer, titles), the finance pages'
// shared parts, the sign-in page, a section's
// placeholder and the charts. Part of
// COPY (../copy.js), in a file of its own to keep each file short.

export const SHELL = {
  frame: {
    wrongAudience: "This is the staff console. Customers sign in at the payments portal.",
    nav: {
      search: "Search",
      dashboard: "Dashboard",
      approvals: "Approvals",
      finance: "Finance",
      closeDrawer: "Close a drawer",
      connectedSystems: "Connected systems",
      imports: "Imports",
      webhooks: "Webhooks",
      staff: "Staff",
    },
    signOut: "Sign out",
    logo: (agency) => `${agency} staff`,
    home: " console home",
    menu: "Menu",
    primaryNavigation: "Primary navigation",
    closeMenu: "Close menu",
    signedInAs: "Signed in as ",
    staffMember: "Staff member",
    footer: (agency) => `${agency} staff console.`,
    localDemo: " Local demo: no real money moves.",
    titleLoading: (title) => `${title} | Staff console`,
    title: (title, agency) => `${title} | ${agency} staff console`,
  },
  financePages: {
    nav: {
      payouts: "Payouts",
      deposits: "Deposits",
      journals: "GL journals",
      close: "Daily close",
      reconciliation: "Reconciliation items",
      bankFiles: "Bank files",
      bankLines: "Unmatched bank lines",
    },
    firstDate: "Enter the first date.",
    lastDate: "Enter the last date.",
    wrongWay: "The last date is before the first.",
    showMore: (what) => `Show more ${what}`,
    atLeast: (min) => `Write at least ${min} characters.`,
    writeNote: "Write a note.",
    cancel: "Cancel",
    preparingSlip: "Preparing the slip…",
    slipDownloaded: (id) => `Deposit slip ${id} downloaded.`,
    theSlip: "The deposit slip",
  },
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
