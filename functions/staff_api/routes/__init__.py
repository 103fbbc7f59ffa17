"""The staff console's route modules, one per concern, each a Powertools ``Router``.

``MODULES`` names every one of them with the rules of its routes, in the order they are included: the handler
imports a module only when a request's path matches one of its rules (``arportal/api/route_table.py``). A new route
module, or a new route in one, needs its line here; ``tests/unit/test_route_tables.py`` fails until it has it.
"""

MODULES: dict[str, tuple[str, ...]] = {
    "search": (
        "/v1/staff/search",
        "/v1/staff/departments",
    ),
    "audit": ("/v1/staff/audit",),
    "customers": (
        "/v1/staff/customers/<customerId>",
        "/v1/staff/customers/<customerId>/payments",
        "/v1/staff/customers/<customerId>/invoices",
    ),
    "balances": ("/v1/staff/customers/<customerId>/balances",),
    "interactions": ("/v1/staff/customers/<customerId>/interactions",),
    "payments_read": ("/v1/staff/payments/<paymentId>",),
    "activity": ("/v1/staff/activity",),
    "reports": (
        "/v1/staff/reports/collections",
        "/v1/staff/reports/exceptions",
        "/v1/staff/reports/metrics",
        "/v1/staff/reports/metrics/payments",
    ),
    "payments_write": (
        "/v1/staff/payments:quote",
        "/v1/staff/payments",
    ),
    "staff_actions": (
        "/v1/staff/payments/<paymentId>/refunds",
        "/v1/staff/payments/<paymentId>/voids",
        "/v1/staff/payments/<paymentId>/reversals",
        "/v1/staff/adjustments",
    ),
    "approvals": (
        "/v1/staff/approvals",
        "/v1/staff/approvals/<approvalId>/decision",
    ),
    "receipts": ("/v1/staff/receipts/<receiptId>/email",),
    "duplicates": ("/v1/staff/customers/<customerId>/duplicates",),
    "credit": ("/v1/staff/customers/<customerId>/credit-applications",),
    "integration_clients": (
        "/v1/staff/integrations/clients",
        "/v1/staff/integrations/clients/<clientId>/secrets",
        "/v1/staff/integrations/clients/<clientId>/secrets/<secretId>",
    ),
    "imports": (
        "/v1/staff/integrations/imports",
        "/v1/staff/integrations/imports/<importId>:start",
        "/v1/staff/integrations/imports/<importId>",
        "/v1/staff/integrations/imports/templates/<kind>.csv",
    ),
    "finance_journals": (
        "/v1/staff/finance/journals",
        "/v1/staff/finance/journals/<batchId>",
        "/v1/staff/finance/journals/<batchId>/imported",
        "/v1/staff/finance/journals/<batchId>/corrections",
        "/v1/staff/finance/journals/corrections/<correctionId>/decision",
    ),
    "finance_close": ("/v1/staff/finance/close",),
    "finance_settlement": (
        "/v1/staff/finance/payouts",
        "/v1/staff/finance/deposits",
        "/v1/staff/finance/deposits/<depositId>/confirm",
        "/v1/staff/finance/reconciliation-items",
        "/v1/staff/finance/reconciliation-items/<itemId>/resolve",
    ),
    "finance_drawers": (
        "/v1/staff/finance/drawers/<terminal>/close",
        "/v1/staff/finance/deposits/<depositId>/slip",
    ),
    "finance_bank_lines": (
        "/v1/staff/finance/bank-lines",
        "/v1/staff/finance/bank-lines/<lineKey>",
        "/v1/staff/finance/bank-lines/<lineKey>/decision",
        "/v1/staff/finance/return-rates",
    ),
    "finance_bank_files": (
        "/v1/staff/finance/bank-accounts",
        "/v1/staff/finance/bank-files",
        "/v1/staff/finance/bank-files/<fileId>",
    ),
    "payment_trail": ("/v1/staff/payments/<paymentId>/trail",),
    "representments": (
        "/v1/staff/payments/<paymentId>/representment",
        "/v1/staff/payments/<paymentId>/representments",
    ),
    "staff_members": ("/v1/staff/staff-members",),
}
