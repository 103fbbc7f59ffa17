"""Each API function's route table (``routes.MODULES``) names every route module and every rule of its routes, so a
request finds its route although the handler includes route modules only when a request needs them
(``arportal/api/route_table.py``)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arportal.api.route_table import LazyRoutes

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
# Every function whose routes/ package keeps a table, including any added later.
LAZY_APIS = tuple(
    sorted(p.parent.parent.name for p in FUNCTIONS.glob("*/routes/__init__.py") if "MODULES" in p.read_text())
)


def _table(api: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = importlib.import_module(f"{api}.routes").MODULES
    return table


def _rules(api: str, module: str) -> set[str]:
    router = importlib.import_module(f"{api}.routes.{module}").router
    return {route[0] for route in router._routes}


def _example(rule: str) -> str:
    return re.sub(r"<\w+>", "x1", rule)


def test_the_api_functions_keep_tables() -> None:
    assert {"portal_api", "staff_api", "public_api", "integration_api"} <= set(LAZY_APIS), LAZY_APIS


@pytest.mark.parametrize("api", LAZY_APIS)
def test_the_table_names_every_route_module(api: str) -> None:
    files = {p.stem for p in (FUNCTIONS / api / "routes").glob("*.py") if p.stem != "__init__"}
    assert set(_table(api)) == files


@pytest.mark.parametrize("api", LAZY_APIS)
def test_the_table_has_every_rule_of_every_module_and_no_other(api: str) -> None:
    for module, rules in _table(api).items():
        assert set(rules) == _rules(api, module), f"{api}.routes.{module}: MODULES[{module!r}] is not its routes"


@pytest.mark.parametrize("api", LAZY_APIS)
def test_a_path_finds_the_modules_of_every_route_it_may_be(api: str) -> None:
    table = LazyRoutes(importlib.import_module(f"{api}.handler").resolver, f"{api}.routes", _table(api))
    for module in table.modules:
        for rule in _rules(api, module):
            assert module in table.modules_for(_example(rule)), (api, rule)
            assert module in table.modules_for(_example(rule) + "/"), (api, rule)  # the resolver's trailing slash
    assert table.modules_for("/no/such/route") == []


@pytest.mark.parametrize("api", LAZY_APIS)
def test_app_is_the_whole_api(api: str) -> None:
    handler = importlib.import_module(f"{api}.handler")
    app = handler.app
    registered = {route.rule.pattern for route in app._static_routes + app._dynamic_routes}
    for module in _table(api):
        for rule in _rules(api, module):
            assert app._compile_regex(rule).pattern in registered, (api, rule)
    assert handler.app is handler.resolver


_REQUEST = """
import json, sys
sys.path[:0] = {paths!r}
import portal_api.handler as handler
from local.apigw import Request, build_event
from infrastructure import catalog
path = "/v1/portal/statements"
event = build_event(Request("GET", path, [("Host", "api.example.gov")], b""), catalog.route_for(path), stage="prod")
before = sorted(m for m in sys.modules if m.startswith("portal_api.routes."))
handler.routes.include_for(event)
after = sorted(m for m in sys.modules if m.startswith("portal_api.routes."))
print(json.dumps([before, after]))
"""


def test_a_request_imports_only_the_route_modules_its_path_may_need() -> None:
    paths = [str(ROOT / "layers/arportal/python"), str(FUNCTIONS), str(ROOT)]
    out = subprocess.run(  # noqa: S603 - this interpreter, our code: a fresh one, whose imports are the request's
        [sys.executable, "-c", _REQUEST.format(paths=paths)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    before, after = json.loads(out.strip().splitlines()[-1])
    assert before == [] and after == ["portal_api.routes.statements"]
