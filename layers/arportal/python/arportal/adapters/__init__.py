"""Adapters: the only code that talks to AWS (or to a processor, or over HTTP)."""
