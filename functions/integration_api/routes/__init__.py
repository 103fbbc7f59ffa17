"""The integration API's route modules, one per concern, each a Powertools ``Router``.

``MODULES`` names every one of them with the rules of its routes, in the order they are included: the handler
imports a module only when a request's path matches one of its rules (``arportal/api/route_table.py``). A new route
module, or a new route in one, needs its line here; ``tests/unit/test_route_tables.py`` fails until it has it.
"""

MODULES: dict[str, tuple[str, ...]] = {
    "clients": ("/v1/integrations/me",),
    "batches": (
        "/v1/integrations/customers:batch",
        "/v1/integrations/accounts:batch",
        "/v1/integrations/invoices:batch",
        "/v1/integrations/credit-notes:batch",
        "/v1/integrations/sales-orders:batch",
        "/v1/integrations/documents:batch",
    ),
    "events": ("/v1/integrations/events",),
    "readback": (
        "/v1/integrations/payments",
        "/v1/integrations/balances:compare",
    ),
    "imports": (
        "/v1/integrations/imports",
        "/v1/integrations/imports/<importId>:start",
        "/v1/integrations/imports/<importId>",
        "/v1/integrations/imports/templates/<kind>.csv",
    ),
    "bank_files": ("/v1/integrations/bank-files",),
    "webhooks": (
        "/v1/integrations/webhooks",
        "/v1/integrations/webhooks/<endpointId>",
        "/v1/integrations/webhooks/<endpointId>/attempts",
        "/v1/integrations/webhooks/<endpointId>/replay",
        "/v1/integrations/webhooks/<endpointId>/rotate",
        "/v1/integrations/webhooks/<endpointId>/test",
    ),
}
