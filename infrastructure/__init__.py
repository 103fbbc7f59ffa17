"""CDK application code. ``catalog`` and ``deployment_config`` are plain Python, shared with ``local``."""
