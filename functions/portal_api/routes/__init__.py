"""The portal's route modules, one per concern, each a Powertools ``Router``.

``MODULES`` names every one of them with the rules of its routes, in the order they are included: the handler
imports a module only when a request's path matches one of its rules (``arportal/api/route_table.py``). A new route
module, or a new route in one, needs its line here; ``tests/unit/test_route_tables.py`` fails until it has it.
"""

MODULES: dict[str, tuple[str, ...]] = {
    "dashboard": (
        "/v1/portal/me",
        "/v1/portal/dashboard",
    ),
    "profile": (
        "/v1/portal/me",
        "/v1/portal/me/email-confirmation",
    ),
    "invoices": (
        "/v1/portal/invoices",
        "/v1/portal/invoices/<invoiceId>",
        "/v1/portal/credit-notes",
        "/v1/portal/sales-orders",
    ),
    "payments": (
        "/v1/portal/payments",
        "/v1/portal/payments/<paymentId>",
    ),
    "statements": ("/v1/portal/statements",),
    "documents": (
        "/v1/portal/documents",
        "/v1/portal/documents/<documentId>",
    ),
    "schedules": ("/v1/portal/schedules",),
    "support": ("/v1/portal/support-requests",),
    "pay": (
        "/v1/portal/payments:quote",
        "/v1/portal/payments",
    ),
    "payment_instructions": ("/v1/portal/payment-instructions",),
    "methods": (
        "/v1/portal/payment-methods",
        "/v1/portal/payment-methods/<payment_method_id>",
    ),
    "autopay": (
        "/v1/portal/schedules:quote",
        "/v1/portal/schedules",
        "/v1/portal/schedules/<schedule_id>",
    ),
    "accounts": (
        "/v1/portal/accounts",
        "/v1/portal/accounts:link",
    ),
    "credit": ("/v1/portal/credit-applications",),
}
