"""The staff console's role table (``web/console/js/roles.js``) is generated from ``arportal/domain/permissions.py``
by ``web/build.py``: the committed file must be exactly what the generator writes, and say what the domain says, so
the console never offers an action the API refuses (or hides one it allows). The roles' names are words: the console's
copy (``web/console/js/copy/roles.js``) names every role, and ``roles.js`` takes them from there."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

from arportal.domain.permissions import ROLE_PERMISSIONS, Role

ROOT = Path(__file__).resolve().parents[2]
ROLES_JS = ROOT / "web" / "console" / "js" / "roles.js"
ROLE_COPY = ROOT / "web" / "console" / "js" / "copy" / "roles.js"


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def _constant(text: str, name: str) -> object:
    """A ``const NAME = {...};`` of the generated file (written as JSON, so read back as JSON)."""
    found = re.search(rf"^const {name} = (\{{.*?\}});$", text, re.MULTILINE | re.DOTALL)
    assert found, f"roles.js has no const {name}"
    return json.loads(found.group(1))


def test_the_committed_roles_js_is_what_the_generator_writes() -> None:
    build = _build()
    assert ROLES_JS.read_text(encoding="utf-8") == build.roles_js(), "run `python3 web/build.py` and commit roles.js"
    assert build.roles_problems() == []


def test_roles_js_grants_each_role_exactly_its_permissions_in_the_domain() -> None:
    text = ROLES_JS.read_text(encoding="utf-8")
    table = _constant(text, "ROLES")
    assert isinstance(table, dict)
    assert {role: set(permissions) for role, permissions in table.items()} == {
        role.value: {p.value for p in granted} for role, granted in ROLE_PERMISSIONS.items()
    }


def test_every_role_has_a_name_in_the_console_copy_and_roles_js_shows_it() -> None:
    found = re.search(r"^    names: \{(.*)\},$", ROLE_COPY.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "copy/roles.js has no names: {...} line"
    names = dict(re.findall(r'(\w+): "([^"]*)"', found.group(1)))
    assert set(names) == {role.value for role in Role} and all(names.values())
    assert _build().role_names() == names
    text = ROLES_JS.read_text(encoding="utf-8")
    assert 'import { COPY } from "./copy.js";' in text and "COPY.roles.names[role]" in text


def test_a_role_the_copy_does_not_name_is_reported(tmp_path: Path) -> None:
    build = _build()
    unnamed = tmp_path / "roles.js"
    unnamed.write_text(ROLE_COPY.read_text(encoding="utf-8").replace('admin: "Administrator"', 'root: "Root"'))
    assert build.role_names(unnamed)["root"] == "Root"
    assert any("must name every role" in problem for problem in build.roles_problems(names=unnamed))
    empty = tmp_path / "empty.js"
    empty.write_text(ROLE_COPY.read_text(encoding="utf-8").replace('"Administrator"', '""'))
    assert any("must name every role" in problem for problem in build.roles_problems(names=empty))


def test_a_stale_roles_js_is_reported_and_rewritten(tmp_path: Path) -> None:
    build = _build()
    stale = tmp_path / "roles.js"
    stale.write_text(ROLES_JS.read_text(encoding="utf-8").replace('"admin.users"', '"admin.everything"'))
    assert build.roles_problems(stale)
    assert build.write_roles_js(stale) is True
    assert build.roles_problems(stale) == []
    assert build.write_roles_js(stale) is False  # already what permissions.py says
