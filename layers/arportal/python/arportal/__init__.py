"""Receivables Portal core: domain rules, use cases, ports and AWS adapters.

Layering (imports point one way): ``services -> domain``, ``services -> ports <- adapters``.
``domain`` imports nothing from AWS or from event shapes.
"""
