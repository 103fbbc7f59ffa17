// The words of the helpers both front-ends share (alerts, form errors, tables, "show more", payment methods, the
// authenticator-app key, signing in, the secure payment fields, the API's and the page frame's failures), in one place
// so they can be reviewed and translated with each front-end's own copy.js. tests/browser/test_copy_in_one_place.py
// holds every shared module to that.

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
  api: {
    unreachable: "We could not reach the service. Check your connection and try again.",
    notAvailable: "This service is not available yet.",
    serviceProblem: "The service had a problem. Try again in a moment.",
    failed: (status) => `The request failed (HTTP ${status}).`,
  },
  // What Cognito's refusals mean, said to the person signing in (auth-cognito.js picks one by Cognito's error).
  auth: {
    locked: "Too many wrong attempts, so this account is locked for a while. Wait 15 minutes, then try again.",
    wrongLogin: "The email or password is not right.",
    notConfirmed: "This account is not confirmed yet. Enter the code we emailed you.",
    exists: "An account with this email already exists. Sign in instead.",
    emailCodeWrong: "That code is not right. Check the email and try again.",
    emailCodeExpired: "That code has expired. Ask for a new one.",
    tooMany: "Too many attempts. Wait a few minutes and try again.",
    weakPassword:
      "Choose a password of at least 12 characters, with an upper-case and a lower-case letter, a number and a symbol.",
    appCodeWrong: "That code is not right. Enter the 6-digit code your authenticator app shows now.",
    tooLong: "This sign-in has taken too long. Start again with your email and password.",
    appCodeExpired: "That code has expired. Enter the code your authenticator app shows now.",
    wentWrong: "Something went wrong. Try again.",
    unreachable: "The sign-in service could not be reached. Check your connection and try again.",
    unsupportedStep: "This account needs a sign-in step this page does not offer.",
    signInFirst: "Sign in to continue.",
    loginFailed: "Sign-in failed. Try again.",
    // The name Cognito keeps for the authenticator app a person enrols (Cognito shows it, not our pages).
    deviceName: "Authenticator app",
  },
  signIn: {
    needCode: "Enter the 6-digit code from your authenticator app.",
    // The password rule of both pools (infrastructure/constructs/identity.py's _PASSWORD_POLICY), said in words.
    passwordRule: "Use at least 12 characters, with an upper-case and a lower-case letter, a number and a symbol.",
    notSignedIn: "You could not be signed in",
    samePassword: "Type the same password twice.",
    yourPassword: "your password",
    saving: "Saving…",
    checking: "Checking…",
    signingIn: "Signing in…",
    signedOut: "You have signed out.",
    passwordChanged: "Your password is changed. Sign in with it.",
  },
  fields: {
    processorNotAvailable: (processor) => `Payments with the ${processor} processor are not available here yet.`,
    notAvailable: "The secure payment form is not available.",
    bankFrame: "Secure bank account details",
    cardFrame: "Secure card details",
    stepNotPossible: "This payment needs a step this page cannot take.",
  },
  stripe: {
    notSetUp: "Paying online is not set up yet. Please contact the agency.",
    notAvailable: "The secure payment form is not available. Try again in a few minutes.",
    badAmount: "The amount to pay is not valid.",
    use: { bank: "Use this bank account", card: "Use this card" },
    save: { bank: "Save this bank account", card: "Save this card" },
    checkDetails: "Check the payment details.",
  },
  frame: {
    couldNotStart: (app) => `The ${app} could not start`,
    noSettings: "Its settings could not be loaded. Check your connection and reload the page.",
  },
  config: {
    // The header's name for the agency when config.json names none.
    agencyName: "Receivables Portal",
    notLoaded: "This page's settings could not be loaded. Check your connection and reload the page.",
  },
};
