"""Signed webhooks: bus events fanned out to the agency's endpoints, and the retry sweep."""
