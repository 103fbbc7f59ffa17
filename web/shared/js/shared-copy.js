// The words of the helpers both front-ends share (alerts, form errors, tables, "show more", payment methods, the
// authenticator-app key), in one place so they can be reviewed and translated with each front-end's own copy.js.
// tests/browser/test_copy_in_one_place.py holds a covered module to that, except these, which still hold some of the
// words they were written with: api.js, auth.js, sign-in-form.js, fields.js, stripe-fields.js, frame.js, config.js,
// money.js.

export const COPY = {
  ui: {
    checkFields: "Check the highlighted fields",
    this: "This",
    notAvailable: "Not available yet",
    notAvailableText: (what) => `${what}: this part of the service is not available yet. Please try again later.`,
    tryAgainIn: (seconds) => ` Try again in ${seconds} seconds.`,
    connection: "Connection problem",
    notAllowed: "Not allowed",
    wentWrong: "Something went wrong",
    serviceFailed: "The service could not finish this. Please try again in a few minutes.",
    requestFailed: "The request failed.",
    nothingToShow: "Nothing to show.",
    loading: "Loading…",
    enter: (what) => `Enter ${what}.`,
    enterEmail: "Enter your email address.",
    emailLike: "Enter an email address like name@example.com.",
    brands: {
      visa: "Visa",
      mastercard: "Mastercard",
      amex: "American Express",
      discover: "Discover",
      diners: "Diners Club",
      jcb: "JCB",
      unionpay: "UnionPay",
    },
    methods: {
      card: "Card",
      debit: "Debit card",
      ach: "Bank account",
      wallet: "Digital wallet",
      cash: "Cash",
      cheque: "Cheque",
      check: "Check",
      wire: "Wire transfer",
      ach_credit: "Bank transfer (ACH credit)",
    },
    ending: (name, last4) => `${name} ending ${last4}`,
    loadingWhat: (what) => `Loading ${what}…`,
  },
  list: {
    showMore: (what) => `Show more ${what}`,
  },
  totp: {
    qr: (account, issuer) => `QR code to add ${account} at ${issuer} to an authenticator app`,
    byHand: "Can't scan it? Add the account by hand with this key (time-based): ",
  },
};
