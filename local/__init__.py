"""The embedded local runtime: moto in-process, the real resources and handlers, an HTTP gateway, seed data.

See docs/local-runtime.md. ``python -m local`` starts it; ``local.environment.LocalEnvironment`` is the same
environment for tests.
"""
