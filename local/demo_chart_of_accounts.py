"""The demo agency's chart of accounts: what the local runtime uses when ``cdk.json`` configures none.

Fund accounting as a city keeps it: the General Fund (100) holds the pooled cash, so the undeposited funds of every
method, the processor's fees and the convenience fees; property tax is General Fund revenue; building permits
(210) and parking (220) are special revenue funds and water and sewer (510) an enterprise fund, so most payments
clear into fund 100 and reach their department's fund through due-to / due-from lines. Every fee code the seed bills
(``local/seed_bills.py``) is mapped, with the platform's own (ADJUSTMENT, FEE) in each department. ``docs/deploy.md``
shows the same chart as the example of ``chartOfAccounts`` (``tests/unit/test_chart_of_accounts.py`` keeps the two
equal).
"""

from __future__ import annotations

DEMO_CHART_OF_ACCOUNTS: dict[str, object] = {
    "clearing": {
        "fund": "100",
        "accounts": {
            "cash": "1011",
            "cheque": "1012",
            "card": "1013",
            "debit": "1014",
            "wallet": "1015",
            "ach": "1016",
            "wire": "1017",
            "ach_credit": "1018",
        },
    },
    "processorFees": "5310",
    "interfund": {"dueFrom": "1310", "dueTo": "2110"},
    "convenienceFees": {
        "card": {"fund": "100", "account": "4810"},
        "debit": {"fund": "100", "account": "4810"},
        "wallet": {"fund": "100", "account": "4810"},
        "ach": {"fund": "100", "account": "4810"},
    },
    "creditHeld": "2250",
    "receivable": "1210",
    "contraRevenue": {"refunds": "4910", "reversals": "4920", "adjustments": "4930"},
    "badDebt": "5810",
    "departments": {
        "property_tax": {
            "fund": "100",
            "revenue": {"PT_INSTALMENT_1": "4110", "PT_INSTALMENT_2": "4110", "ADJUSTMENT": "4190", "FEE": "4195"},
        },
        "permits": {
            "fund": "210",
            "revenue": {
                "PERMIT_BUILDING": "4210",
                "PERMIT_ELECTRICAL": "4211",
                "PERMIT_SIGN": "4212",
                "PLAN_REVIEW": "4220",
                "INSPECTION": "4221",
                "REINSPECTION": "4222",
                "ADJUSTMENT": "4290",
                "FEE": "4295",
            },
        },
        "parking": {
            "fund": "220",
            "revenue": {
                "PK_CITATION": "4510",
                "PK_LATE_PENALTY": "4511",
                "PK_RES_PERMIT": "4520",
                "ADJUSTMENT": "4590",
                "FEE": "4595",
            },
        },
        "utilities": {
            "fund": "510",
            "revenue": {
                "WATER_BASE": "4410",
                "WATER_USAGE": "4411",
                "SEWER_USAGE": "4420",
                "METER_UPGRADE": "4430",
                "METER_INSTALL": "4431",
                "BACKFLOW_TEST": "4432",
                "ADJUSTMENT": "4490",
                "FEE": "4495",
            },
        },
    },
}
