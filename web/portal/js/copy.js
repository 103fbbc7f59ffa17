// The portal's words for the customer, in one place so they can be reviewed and translated together. Written to
// plainlanguage.gov's guidance: short sentences, "you" for the customer, the active voice, no internal ids (an
// invoice is named by its number, a payment by its receipt number, staff as "the agency").
// Pages still hold the words they were written with; each string a page takes from here is the one it shows.

export const COPY = {
  payment: {
    // One line per step of a payment's timeline (payment.html): what happened, in the customer's terms.
    steps: {
      pending: "Your bank is sending the money. This takes 3 to 5 business days.",
      authorized: "Your card issuer approved the payment.",
      posted: "We applied it to your bills.",
      settled: "The agency received the money.",
      failed: "The payment did not go through.",
      refunded: "We refunded it to you.",
      partially_refunded: "We refunded part of it to you.",
      voided: "The payment was cancelled before any money moved.",
      reversed: "Your bank took the payment back.",
    },
    by: (who) => `By ${who}.`,
    notApplied: "We have not applied this payment to an invoice yet.",
  },
  credit: {
    apply: "Apply my credit",
    applied: (amount) => `${amount} of credit applied`,
    appliedTo: (paid, left) => `We applied it to ${paid}. Credit left: ${left}.`,
    notApplied: "We could not apply your credit",
  },
  checkout: {
    declined: "Your payment was declined",
    notConfirmed: "We could not confirm your payment yet",
    notConfirmedText: "We will not charge you twice. Check again to see if your payment went through.",
    checkAgain: "Check my payment",
    feeChanged: "The fee has changed",
    feeChangedText: "Check the new total before you pay.",
    submitted: "Payment submitted",
    received: "Payment received",
    onItsWay: "Your bank payment is on its way",
    wentThrough: "Thank you. Your payment went through.",
  },
  pay: {
    selectOne: "Select at least one invoice to pay.",
    amountMoreThanZero: "Enter an amount more than zero, like 25.00.",
    partMoreThanZero: (number) => `Enter an amount more than zero for invoice ${number}.`,
    atMostBalance: (balance) => `You can pay up to the balance, ${balance}.`,
    payInvoice: (number) => `Pay invoice ${number}`,
    amountFor: (number) => `Amount to pay for invoice ${number}`,
  },
};
