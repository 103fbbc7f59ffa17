"""The front-ends' Content-Security-Policy: one builder for CloudFront's response headers policy
(``infrastructure/constructs/web.py``) and the local runtime's static files (``local/gateway.py``), so the pages are
tried locally under the policy they get in AWS.

PCI DSS 4.0.1 (6.4.3, 11.6.1) asks a payment page to allow only the scripts it is meant to run: no inline script
anywhere, our own files from our own origin, and with Stripe only the origins Stripe's integration security guide
lists for Stripe.js and the Payment Element (docs/payment-page-scripts.md has the inventory).
"""

from __future__ import annotations

from collections.abc import Iterable

# Stripe.js, its Payment Element frames and the bank's 3-D Secure challenge (served through hooks.stripe.com).
STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_FRAMES = ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com")
STRIPE_CONNECT = ("https://api.stripe.com",)


def content_security_policy(
    *,
    processor: str,
    api_origin: str,
    connect: Iterable[str] = (),
    image_origins: Iterable[str] = (),
    stripe_js_origin: str | None = None,
) -> str:
    """The policy for a stack whose API answers at ``api_origin`` (``'self'`` when it is the pages' own origin).
    ``connect``: more origins the pages call (Cognito, the import bucket's uploads); ``stripe_js_origin``: where a
    double of Stripe.js is served instead of Stripe's (the local runtime's browser tests only)."""
    api = [] if api_origin == "'self'" else [api_origin]
    connect_to = ["'self'", *api, *connect]
    script, frame, image = ["'self'"], ["'none'"], ["'self'", "data:", *image_origins]
    if processor == "stripe":
        # Stripe Elements: card and bank numbers are typed into Stripe's frames, never into our pages.
        script += STRIPE_SCRIPTS
        frame = list(STRIPE_FRAMES)
        connect_to += STRIPE_CONNECT
        if stripe_js_origin:
            script.append(stripe_js_origin)
            frame.append(stripe_js_origin)
            connect_to.append(stripe_js_origin)
    elif processor == "sandbox":
        # The sandbox's hosted fields: its script and its iframe are served by our API's /sandbox routes.
        script += api
        frame = api or ["'self'"]
    directives = {
        "default-src": ["'self'"],
        "script-src": script,
        # swagger-ui sets inline styles; no inline script is allowed anywhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": image,
        "font-src": ["'self'", "data:"],
        "connect-src": connect_to,
        "frame-src": frame,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())
