// The console's words for staff, in one place so they can be reviewed and translated together (short sentences,
// the active voice; plainlanguage.gov). Pages still hold the words they were written with; each string a page takes
// from here is the one it shows.

export const COPY = {
  duplicates: {
    caption: "Likely duplicate payments",
    empty: "No likely duplicates.",
    payment: "Payment",
    looksLike: "Looks like",
    amount: "Amount",
    why: "Why",
    receipt: (number) => `Receipt ${number}`,
    notChecked: "Could not check",
    notAvailable: "Duplicate detection is not available yet.",
  },
};
