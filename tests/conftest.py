"""Test-wide settings.

Hypothesis: property tests here build domain records (pydantic validation) per example, which is slow enough
on a loaded 2-core machine to trip the "too slow" health check and per-example deadlines; neither says anything
about the properties, so both are relaxed for every property test.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("project", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("project")
