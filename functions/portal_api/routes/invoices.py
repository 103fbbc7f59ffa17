"""Portal routes: invoices."""

from __future__ import annotations

from arportal.api.app import new_router

router = new_router()
