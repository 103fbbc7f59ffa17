"""The public routes' modules, one per concern, each a Powertools ``Router``.

``MODULES`` names every one of them with the rules of its routes, in the order they are included: the handler
imports a module only when a request's path matches one of its rules (``arportal/api/route_table.py``). A new route
module, or a new route in one, needs its line here; ``tests/unit/test_route_tables.py`` fails until it has it.
"""

MODULES: dict[str, tuple[str, ...]] = {
    "guest": ("/v1/public/lookup",),
    "webhooks": ("/v1/processor/webhooks/<processor>",),
    "guest_pay": (
        "/v1/public/payments:quote",
        "/v1/public/payments",
    ),
    "webhook_keys": ("/v1/webhooks/signing-keys",),
}
