// The portal's words for the frame every page shares: the navigation, the footer and the page titles. Part of COPY
// (../copy.js), in a file of its own to keep each file short.

export const FRAME = {
  frame: {
    wrongAudience: "This is the customer portal. Staff members sign in at the staff console.",
    nav: {
      overview: "Overview",
      invoices: "Invoices",
      pay: "Make a payment",
      payments: "Payments",
      statements: "Statements",
      schedules: "Autopay and plans",
      documents: "Documents",
      creditNotes: "Credit notes",
      salesOrders: "Sales orders",
      profile: "Profile and notifications",
      signIn: "Sign in",
      signUp: "Create an account",
      guest: "Pay without an account",
    },
    more: "More",
    signOut: "Sign out",
    home: " home",
    menu: "Menu",
    primaryNavigation: "Primary navigation",
    closeMenu: "Close menu",
    footer: (agency) => `${agency} payments portal.`,
    signedInAs: (email) => ` Signed in as ${email}.`,
    localDemo: " Local demo: no real money moves.",
    titleLoading: (title) => `${title} | Payments portal`,
    title: (title, agency) => `${title} | ${agency} payments`,
  },
};
