"""The demo agency's bank accounts: what the local runtime uses when ``cdk.json`` configures no ``bankAccounts``.

Two accounts at one bank, as a city usually keeps them: the operating account receives the card processor's
payouts, the cashiers' deposit slips, payers' wires and ACH credits, and is the account ACH debits are collected
into (so their returns come out of it); the lockbox account receives what the bank's lockbox service deposits from
mailed cheques. The routing number passes the ABA check digit (``arportal/domain/bank_accounts.py``); the account
numbers are made up. Kept in the deployment config's shape, so ``DeploymentConfig`` validates it like any other
(``tests/infrastructure/test_bank_accounts_config.py``).
"""

from __future__ import annotations

DEMO_BANK_ACCOUNTS: dict[str, dict[str, object]] = {
    "operating": {
        "name": "Operating account",
        "bankName": "First Bank of Springfield",
        "accountNumber": "4400123456",
        "routingNumber": "011000015",
        "currency": "USD",
        "receives": ["processor_payouts", "counter_deposits", "wires", "ach_credits", "ach_debits"],
    },
    "lockbox": {
        "name": "Lockbox account",
        "bankName": "First Bank of Springfield",
        "accountNumber": "4400987654",
        "routingNumber": "011000015",
        "currency": "USD",
        "receives": ["lockbox"],
    },
}


def demo_bank_accounts_json() -> dict[str, list[str]]:
    """The demo accounts validated as the deployment config validates them, written as ``BANK_ACCOUNTS`` is."""
    from infrastructure.deployment_config import BankAccountConfig, compact_bank_accounts

    return compact_bank_accounts({k: BankAccountConfig.model_validate(v) for k, v in DEMO_BANK_ACCOUNTS.items()})
