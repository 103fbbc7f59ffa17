"""HTTP edge shared by the API handlers: resolver set-up, error mapping, caller identity.

Handlers import from here; services and domain never do.
"""
