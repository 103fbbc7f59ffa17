"""Test-wide settings.

Time: the whole session runs on one chosen day (``tests/clock.py``), started here before any test module is
imported, so module-level fixtures such as ``tests.builders.TODAY`` are built on that day.

Hypothesis: property tests here build domain records (pydantic validation) per example, which is slow enough
on a loaded 2-core machine to trip the "too slow" health check and per-example deadlines; neither says anything
about the properties, so both are relaxed for every property test.

Dates: the modules in ``DATE_SENSITIVE`` decide things by the day (dashboards, statements and aging, reminders,
autopay and plans, settlement, reports, guest tokens, idempotency expiry). They are marked ``dates``, and
``make test`` runs them a second time with the session 400 days ahead, so a fixed date hidden in a test or in
the product shows up long before the calendar reaches it.

Grouping: the browser tests share one runtime and the infrastructure tests one synthesis through xdist's
``--dist loadgroup``. Some pytest releases silently drop that grouping (pytest-xdist#1386), which doubles both;
``pytest_collection_finish`` below refuses to run rather than ignore it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests import clock

DATE_SENSITIVE = frozenset(
    {
        "tests/unit/test_autopay.py",
        "tests/unit/test_autopay_posting.py",
        "tests/unit/test_dashboard.py",
        "tests/unit/test_guest_tokens.py",
        "tests/unit/test_payment_status.py",
        "tests/unit/test_payments_idempotency.py",
        "tests/unit/test_plans.py",
        "tests/unit/test_portal_views.py",
        "tests/unit/test_processing.py",
        "tests/unit/test_reminders.py",
        "tests/unit/test_reports.py",
        "tests/unit/test_staff_views.py",
        "tests/unit/test_statement.py",
        "tests/property/test_plans_properties.py",
        "tests/property/test_portal_properties.py",
        "tests/property/test_reports_properties.py",
        "tests/property/test_statement_properties.py",
        "tests/integration/test_api_slice.py",
        "tests/integration/test_autopay_api.py",
        "tests/integration/test_documents_api.py",
        "tests/integration/test_guest_lookup.py",
        "tests/integration/test_guest_pay.py",
        "tests/integration/test_notices.py",
        "tests/integration/test_payment_methods.py",
        "tests/integration/test_payment_retry.py",
        "tests/integration/test_portal_views.py",
        "tests/integration/test_scheduled_jobs.py",
        "tests/integration/test_staff_activity_and_reports.py",
        "tests/integration/test_staff_customer_record.py",
        "tests/integration/test_statemachines.py",
        "tests/integration/test_statement_movements.py",
        "tests/integration/test_statements_api.py",
        "tests/reliability/test_idempotent_payments.py",
    }
)

clock.start()

settings.register_profile("project", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("project")


def _run_facts(config: pytest.Config) -> str:
    seed = getattr(config.option, "randomly_seed", None)
    order = f"random order --randomly-seed={seed}" if isinstance(seed, int) else "file order (-p no:randomly)"
    return f"{clock.describe()}; {order}"


def pytest_sessionstart(session: pytest.Session) -> None:
    # Printed even with -q (the header is not): a failure on some day or in some order can be replayed.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not hasattr(session.config, "workerinput"):
        reporter.write_line(_run_facts(session.config))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dates: decides by the day; run again 400 days ahead by `make test`")
    missing = sorted(path for path in DATE_SENSITIVE if not (config.rootpath / path).is_file())
    if missing:
        raise pytest.UsageError(f"DATE_SENSITIVE names modules that do not exist: {missing}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(config.rootpath).as_posix() in DATE_SENSITIVE:
            item.add_marker(pytest.mark.dates)


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.getoption("dist", "no") != "loadgroup" or not hasattr(session.config, "workerinput"):
        return
    lost = [item.nodeid for item in session.items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup did not group {len(lost)} tests (e.g. {lost[0]}): this pytest and pytest-xdist do not "
            "work together; install the versions pinned in pyproject.toml"
        )
