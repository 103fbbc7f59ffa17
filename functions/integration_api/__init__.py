"""The integration API (``/v1/integrations``): the agency's own systems, signed in with OAuth 2.0 client credentials."""
