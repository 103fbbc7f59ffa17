"""The ISO 4217 currencies an agency can bill in, with their minor units (the digits after the decimal point).

Source: ISO 4217 list one as its maintenance agency (SIX) published it on 2026-01-01, read from the ``table.xml``
shipped in the PyPI package ``iso4217`` 1.16.20260101 (copied here, so the synth needs no extra dependency).
Left out on purpose, with the reason the config check gives: fund codes, precious metals, bond-market units and
other units of account, the testing code and "no currency". The list changes a few times a year at most (BGN left
for the euro on 2026-01-01, XCG replaced ANG, ZWG replaced ZWL); refresh it from a newer list one.
"""

from __future__ import annotations

PUBLISHED = "2026-01-01"

_BY_MINOR_UNITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF",
    2: (
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY "
        "COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF "
        "IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR "
        "MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG "
        "SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES "
        "WST XCD XCG YER ZAR ZMW ZWG"
    ),
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "UYW",
}

MINOR_UNITS: dict[str, int] = {code: units for units, codes in _BY_MINOR_UNITS.items() for code in codes.split()}

# Codes withdrawn in recent years and what replaced them, so a config written from an old list gets the new code.
WITHDRAWN = {
    "BGN": "EUR",  # 2026-01-01
    "ANG": "XCG",  # 2025-03-31
    "ZWL": "ZWG",  # 2024-06
    "SLL": "SLE",  # 2024-06
    "HRK": "EUR",  # 2023-01-01
    "CUC": "CUP",  # 2022-09
    "MRO": "MRU",
    "STD": "STN",
    "VEF": "VES",
}

_FUND = "a fund code (an accounting unit beside a currency), not money a payer can pay in"
_UNIT = "a unit of account, not a currency payments are made in"
NOT_CURRENCIES: dict[str, str] = {
    "XXX": "ISO 4217's code for transactions where no currency is involved",
    "XTS": "reserved by ISO 4217 for testing",
    **dict.fromkeys(("XAU", "XAG", "XPD", "XPT"), "a precious metal (gold, silver, palladium, platinum)"),
    **dict.fromkeys(("XBA", "XBB", "XBC", "XBD"), "a bond-market unit"),
    **dict.fromkeys(("XDR", "XSU", "XUA", "XAD"), _UNIT),
    **dict.fromkeys(("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI"), _FUND),
}
