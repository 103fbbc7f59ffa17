"""The sandbox processor's API: hosted fields, tokens and the ACH simulation (only in sandbox deployments)."""
