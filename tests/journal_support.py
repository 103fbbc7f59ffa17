"""A small chart of accounts for the journal tests: three funds, so interfund lines show."""

from __future__ import annotations

from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.journals import JournalLine

CLEARING_FUND = "100"  # also property tax's
FUNDS = {"property_tax": "100", "utilities": "510", "parking": "220"}
FEE_CODES = {
    "property_tax": ("PT_INSTALMENT_1", "ADJUSTMENT", "FEE"),
    "utilities": ("WATER_BASE", "WATER_USAGE", "SEWER_USAGE", "ADJUSTMENT", "FEE"),
    "parking": ("PK_CITATION", "PK_LATE_PENALTY", "ADJUSTMENT", "FEE"),
}
REVENUE = {
    ("property_tax", "PT_INSTALMENT_1"): "4110",
    ("utilities", "WATER_BASE"): "4410",
    ("utilities", "WATER_USAGE"): "4411",
    ("utilities", "SEWER_USAGE"): "4420",
    ("parking", "PK_CITATION"): "4510",
    ("parking", "PK_LATE_PENALTY"): "4511",
}
CLEARING = {
    "cash": "1011", "cheque": "1012", "card": "1013", "debit": "1014", "wallet": "1015", "ach": "1016",
    "wire": "1017", "ach_credit": "1018",
}  # fmt: skip

CHART = ChartOfAccounts.model_validate(
    {
        "clearing": {"fund": CLEARING_FUND, "accounts": CLEARING},
        "processorFees": "5310",
        "interfund": {"dueFrom": "1310", "dueTo": "2110"},
        "convenienceFees": {"card": {"fund": "100", "account": "4810"}, "wallet": {"fund": "100", "account": "4811"}},
        "creditHeld": "2250",
        "receivable": "1210",
        "contraRevenue": {"refunds": "4910", "reversals": "4920", "adjustments": "4930"},
        "badDebt": "5810",
        "departments": {
            department: {
                "fund": fund,
                "revenue": {
                    code: REVENUE.get((department, code), "4990" if code == "ADJUSTMENT" else "4995")
                    for code in FEE_CODES[department]
                },
            }
            for department, fund in FUNDS.items()
        },
    }
)


def entries(lines: tuple[JournalLine, ...]) -> list[tuple[str, str | None, str, int, int]]:
    """(fund, department, account, debit, credit) of each line, in order: what a test compares."""
    return [(x.fund, x.department, x.account, x.debit, x.credit) for x in lines]
