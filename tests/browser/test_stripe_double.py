"""The Stripe.js double stands for Stripe.js only where the pages use it: every method the payment fields call is
defined by the double and is part of Stripe.js's documented surface (docs.stripe.com/js), and the double invents
none. And in production the pages load the real Stripe.js: https://js.stripe.com/v3/ is the default, which the
deployed config.json never overrides. (Static checks of the files: no browser.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDS = ROOT / "web" / "shared" / "js" / "stripe-fields.js"
DOUBLE = Path(__file__).parent / "stripe_double" / "stripe.js"
PRODUCTION_URL = "https://js.stripe.com/v3/"

# Stripe.js reference (docs.stripe.com/js): the object each method belongs to, by the names the page gives them.
DOCUMENTED = {
    "stripe": {"elements", "createConfirmationToken", "handleNextAction", "confirmPayment", "createPaymentMethod"},
    "elements": {"create", "submit", "update", "fetchUpdates", "getElement"},
    "element": {"mount", "on", "off", "destroy", "unmount", "update", "focus", "blur", "clear", "collapse"},
}
DOUBLE_OBJECTS = {"StripeDouble": "stripe", "Elements": "elements", "PaymentElement": "element"}


def called_by_the_page() -> dict[str, set[str]]:
    calls: dict[str, set[str]] = {name: set() for name in DOCUMENTED}
    for obj, method in re.findall(r"\b(stripe|elements|element)\.(\w+)\(", FIELDS.read_text()):
        calls[obj].add(method)
    return calls


def defined_by_the_double() -> dict[str, set[str]]:
    defined: dict[str, set[str]] = {name: set() for name in DOCUMENTED}
    for obj, method in re.findall(r"\b(\w+)\.prototype\.(\w+) = function", DOUBLE.read_text()):
        if obj in DOUBLE_OBJECTS:
            defined[DOUBLE_OBJECTS[obj]].add(method)
    return defined


def test_every_stripe_js_method_the_page_calls_is_in_the_double_and_documented() -> None:
    calls, defined = called_by_the_page(), defined_by_the_double()
    # The page calls these (a change there must be matched in the double, or this fails)
    assert calls == {
        "stripe": {"elements", "createConfirmationToken", "handleNextAction"},
        "elements": {"create", "submit"},
        "element": {"mount", "on", "destroy"},
    }
    for obj, methods in calls.items():
        assert methods <= defined[obj], f"{obj}: the double lacks {sorted(methods - defined[obj])}"
        assert methods <= DOCUMENTED[obj], f"{obj}: not Stripe.js's documented API: {sorted(methods - DOCUMENTED[obj])}"


def test_the_double_defines_nothing_stripe_js_does_not_document() -> None:
    for obj, methods in defined_by_the_double().items():
        invented = methods - DOCUMENTED[obj] - {"complete"}  # the double's own helper, not called by the page
        assert not invented, f"{obj}: {sorted(invented)}"
    assert "window.Stripe = function" in DOUBLE.read_text()  # the global the page constructs the client with
    assert re.search(r"\bStripe\(cfg\.stripePublishableKey\)", FIELDS.read_text())


def test_the_production_default_is_stripes_own_url() -> None:
    assert f'export const STRIPE_JS_URL = "{PRODUCTION_URL}";' in FIELDS.read_text()
    config = (ROOT / "web" / "shared" / "js" / "config.js").read_text()
    assert f'stripeJsUrl: raw.stripeJsUrl || "{PRODUCTION_URL}"' in config
    # The deployed config.json names the publishable key and never another Stripe.js
    stack = (ROOT / "infrastructure" / "stack.py").read_text()
    assert "stripePublishableKey" in stack and "stripeJsUrl" not in stack
