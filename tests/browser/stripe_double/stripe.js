/*
 * A test double of the part of Stripe.js (https://js.stripe.com/v3/) that web/shared/js/stripe-fields.js uses,
 * for browser tests on machines that cannot reach Stripe. Served by tests/stripe_fake_api.py, whose fake Stripe API
 * the product's server-side adapter calls: the two meet on the same PaymentIntents.
 *
 * The documented surface it stands in for (docs.stripe.com/js):
 *   Stripe(publishableKey)                         -> stripe
 *   stripe.elements({mode, amount, currency, paymentMethodCreation, paymentMethodTypes}) -> elements
 *                                                  (mode "payment" with an amount, or "setup" without one)
 *   elements.create("payment", options)            -> element: mount(domElement), on("change", handler), destroy()
 *   elements.submit()                              -> Promise<{error?}>
 *   stripe.createConfirmationToken({elements})     -> Promise<{confirmationToken} | {error}>
 *   stripe.handleNextAction({clientSecret})        -> Promise<{paymentIntent} | {setupIntent} | {error}>
 * Stripe's test cards choose what happens, as in test mode: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is
 * declined, 4000 0027 6000 3184 asks for 3-D Secure (always), 4000 0025 0000 3155 asks once (when paid with or
 * saved); a bank account (routing 110000000) is an ACH debit.
 * tests/browser/test_stripe_double.py checks that every method the page calls is defined here.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : "";
  var CARDS = { "4242424242424242": "visa", "4000000000000002": "declined", "4000002760003184": "threeds",
    "4000002500003155": "setupauth" };
  var counter = 0;

  function field(id, label, autocomplete) {
    var wrap = document.createElement("div");
    var l = document.createElement("label");
    l.className = "usa-label";
    l.htmlFor = id;
    l.textContent = label;
    var input = document.createElement("input");
    input.className = "usa-input";
    input.id = id;
    input.name = id;
    input.autocomplete = autocomplete;
    input.inputMode = "numeric";
    wrap.append(l, input);
    return { wrap: wrap, input: input };
  }

  function PaymentElement(elements) {
    this.elements = elements;
    this.handlers = {};
    this.node = null;
    this.inputs = {};
  }
  PaymentElement.prototype.mount = function (target) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    var box = document.createElement("div");
    box.setAttribute("data-stripe-double", "payment-element");
    var self = this;
    var parts = this.elements.bank
      ? [field("stripe-routing", "Routing number", "off"), field("stripe-account", "Account number", "off")]
      : [field("stripe-card", "Card number", "cc-number"), field("stripe-expiry", "Expiration (MM / YY)", "cc-exp"),
         field("stripe-cvc", "Security code", "cc-csc")];
    parts.forEach(function (p) {
      box.append(p.wrap);
      self.inputs[p.input.id] = p.input;
      p.input.addEventListener("input", function () {
        var complete = self.complete();
        (self.handlers.change || []).forEach(function (h) {
          h({ elementType: "payment", complete: complete, empty: false,
              value: { type: self.elements.bank ? "us_bank_account" : "card" } });
        });
      });
    });
    node.append(box);
    this.node = box;
  };
  PaymentElement.prototype.complete = function () {
    var v = function (id) { return (this.inputs[id] && this.inputs[id].value || "").replace(/\D/g, ""); }.bind(this);
    if (this.elements.bank) return v("stripe-routing").length === 9 && v("stripe-account").length >= 4;
    return v("stripe-card").length >= 15 && v("stripe-expiry").length >= 4 && v("stripe-cvc").length >= 3;
  };
  PaymentElement.prototype.on = function (event, handler) {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
    return this;
  };
  PaymentElement.prototype.destroy = function () {
    if (this.node) this.node.remove();
    this.node = null;
  };

  function Elements(options) {
    this.options = options || {};
    this.bank = (this.options.paymentMethodTypes || []).indexOf("us_bank_account") >= 0;
    this.element = null;
  }
  Elements.prototype.create = function (type) {
    if (type !== "payment") throw new Error("the double has only the Payment Element");
    this.element = new PaymentElement(this);
    return this.element;
  };
  Elements.prototype.submit = function () {
    var ok = this.element && this.element.complete();
    return Promise.resolve(ok ? {} : { error: { type: "validation_error", code: "incomplete",
      message: this.bank ? "Your bank account details are incomplete." : "Your card number is incomplete." } });
  };

  function StripeDouble(key) {
    if (!/^pk_(test|live)_/.test(key || "")) throw new Error("Invalid API Key provided: " + key);
    this.key = key;
  }
  StripeDouble.prototype.elements = function (options) {
    var payment = options && options.mode === "payment" && options.amount > 0;
    var setup = options && options.mode === "setup" && options.amount === undefined;
    if (!(payment || setup) || !options.currency) {
      throw new Error("IntegrationError: elements() in deferred mode needs mode and currency (and amount to pay)");
    }
    return new Elements(options);
  };
  StripeDouble.prototype.createConfirmationToken = function (params) {
    var elements = params && params.elements;
    counter += 1;
    if (!elements || !elements.element || !elements.element.complete()) {
      return Promise.resolve({ error: { type: "validation_error", message: "Complete the payment details." } });
    }
    var inputs = elements.element.inputs;
    if (elements.bank) {
      var account = inputs["stripe-account"].value.replace(/\D/g, "");
      return Promise.resolve({ confirmationToken: { id: "ctoken_bank_" + counter, object: "confirmation_token",
        payment_method_preview: { type: "us_bank_account", us_bank_account: { last4: account.slice(-4) } } } });
    }
    var number = inputs["stripe-card"].value.replace(/\D/g, "");
    var card = CARDS[number];
    if (!card) return Promise.resolve({ error: { type: "card_error", code: "incorrect_number", message: "Your card number is incorrect." } });
    return Promise.resolve({ confirmationToken: { id: "ctoken_" + card + "_" + counter, object: "confirmation_token",
      payment_method_preview: { type: "card", card: { brand: "visa", last4: number.slice(-4), funding: "credit", wallet: null } } } });
  };
  StripeDouble.prototype.handleNextAction = function (params) {
    // Stripe shows the bank's challenge in a frame over the page; the double shows a dialog with its two choices.
    return new Promise(function (resolve) {
      var dialog = document.createElement("dialog");
      dialog.setAttribute("aria-labelledby", "stripe-double-3ds");
      var heading = document.createElement("h2");
      heading.id = "stripe-double-3ds";
      heading.textContent = "Confirm the payment with your bank (test)";
      var complete = document.createElement("button");
      complete.type = "button";
      complete.className = "usa-button";
      complete.textContent = "Complete authentication";
      var fail = document.createElement("button");
      fail.type = "button";
      fail.className = "usa-button usa-button--secondary";
      fail.textContent = "Fail authentication";
      function answer(ok) {
        fetch(origin + "/test/next_action", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ clientSecret: params && params.clientSecret, complete: ok }) })
          .then(function (r) { return r.json(); })
          .then(function (outcome) { dialog.close(); dialog.remove(); resolve(outcome); });
      }
      complete.addEventListener("click", function () { answer(true); });
      fail.addEventListener("click", function () { answer(false); });
      dialog.append(heading, complete, fail);
      document.body.append(dialog);
      dialog.showModal();
    });
  };

  window.Stripe = function (key) {
    return new StripeDouble(key);
  };
})();
