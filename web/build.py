"""Copy the U.S. Web Design System assets the front-ends use from ``node_modules`` into ``web/vendor/uswds/``, and
``qrcode-generator``'s ES module (MIT, its licence in the file's header; it draws the authenticator-app QR code in
the page, so no secret leaves it) into ``web/vendor/qrcode-generator/``, and write the staff console's role table
(``web/console/js/roles.js``) from ``arportal/domain/permissions.py``.

    python3 web/build.py            # copy (when node_modules has USWDS), else verify the committed copy; write roles.js
    python3 web/build.py --check    # verify only: exit 1 if the copy differs from node_modules or its manifest, or
                                    # roles.js from what permissions.py says

The copy is committed, so deploying (``cdk deploy`` uploads ``web/``) and the local runtime need no npm step and no
network. Only what the pages load is copied: the compiled CSS, the files its ``url(...)`` references name (fonts,
icons), the icon sprite and the JavaScript. ``MANIFEST.json`` records the USWDS version and every file's SHA-256,
so a hand edit or a half-finished copy is caught by ``--check`` (``make test`` runs it).

``roles.js`` is generated, committed, and never edited by hand: the console hides what a role may not do from the
same table the API enforces (``tests/unit/test_roles_js.py`` fails when the committed file is not what
``roles_js()`` writes). The roles' names are words, in the console's copy (``web/console/js/copy/roles.js``):
``--check`` fails when it does not name every role.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "@uswds" / "uswds"
TARGET = ROOT / "web" / "vendor" / "uswds"
MANIFEST = "MANIFEST.json"
# Paths under the package's dist/; the CSS's own url(...) references are added to these.
ENTRY_POINTS = ("css/uswds.min.css", "js/uswds.min.js", "img/sprite.svg")
LICENSE = "LICENSE.md"  # fonts (OFL) and icons (Apache 2.0) travel with their licence
_URL = re.compile(r"url\((?:\"|')?(\.\./[^)\"'#?]+)")
QR_SOURCE = ROOT / "node_modules" / "qrcode-generator"
QR_TARGET = ROOT / "web" / "vendor" / "qrcode-generator"
QR_ORIGIN = "dist/qrcode.mjs"  # the ES module build, its MIT licence in its header
QR_FILE = "qrcode.js"  # served as JavaScript by any host (an .mjs may not be)
ROLES_JS = ROOT / "web" / "console" / "js" / "roles.js"
LAYER = ROOT / "layers" / "arportal" / "python"
# How the console names each role (``domain/permissions.Role``), in its copy; every role needs one.
ROLE_COPY = ROOT / "web" / "console" / "js" / "copy" / "roles.js"
_ROLE_NAMES = re.compile(r"^\s*names: \{(.*?)\},?$", re.MULTILINE)


def wanted_files(dist: Path) -> list[str]:
    """The dist-relative paths the front-ends need, sorted."""
    files = set(ENTRY_POINTS)
    css = (dist / "css" / "uswds.min.css").read_text(encoding="utf-8")
    for reference in _URL.findall(css):
        files.add(str(Path("css", reference).as_posix()).replace("css/../", ""))
    return sorted(files)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_of(package: Path) -> str:
    return str(json.loads((package / "package.json").read_text(encoding="utf-8"))["version"])


def build(source: Path = SOURCE, target: Path = TARGET) -> list[str]:
    """Copy what is wanted (only files that changed), drop what is no longer wanted; the paths written."""
    dist = source / "dist"
    files = wanted_files(dist)
    written = []
    for name in [*files, LICENSE]:
        origin = dist / name if name != LICENSE else source / LICENSE
        destination = target / name
        if not destination.is_file() or sha256(destination) != sha256(origin):
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, destination)
            written.append(name)
    keep = {*files, LICENSE, MANIFEST}
    for stale in [p for p in target.rglob("*") if p.is_file() and p.relative_to(target).as_posix() not in keep]:
        stale.unlink()
        written.append(f"-{stale.relative_to(target).as_posix()}")
    manifest = {
        "package": "@uswds/uswds",
        "version": version_of(source),
        "files": {name: sha256(target / name) for name in files},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    manifest_path = target / MANIFEST
    if not manifest_path.is_file() or manifest_path.read_text(encoding="utf-8") != text:
        manifest_path.write_text(text, encoding="utf-8")
        written.append(MANIFEST)
    return written


def problems(source: Path = SOURCE, target: Path = TARGET) -> list[str]:
    """What is wrong with the committed copy: a file missing or edited, or a different USWDS in node_modules."""
    manifest_path = target / MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path} is missing: run `make web-assets` (needs `npm ci`)"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    found = []
    for name, digest in manifest["files"].items():
        path = target / name
        if not path.is_file():
            found.append(f"{name} is missing")
        elif sha256(path) != digest:
            found.append(f"{name} differs from its manifest entry")
    if source.is_dir():
        if version_of(source) != manifest["version"]:
            found.append(f"node_modules has USWDS {version_of(source)}, the copy is {manifest['version']}")
        elif sorted(manifest["files"]) != wanted_files(source / "dist"):
            found.append("the set of files the CSS needs has changed")
    return found


def build_qrcode(source: Path = QR_SOURCE, target: Path = QR_TARGET) -> list[str]:
    """Copy the QR code module and write its manifest (only what changed); the names written."""
    origin, destination = source / QR_ORIGIN, target / QR_FILE
    written = []
    if not destination.is_file() or sha256(destination) != sha256(origin):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, destination)
        written.append(QR_FILE)
    manifest = {"package": "qrcode-generator", "version": version_of(source), "files": {QR_FILE: sha256(destination)}}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if not (target / MANIFEST).is_file() or (target / MANIFEST).read_text(encoding="utf-8") != text:
        (target / MANIFEST).write_text(text, encoding="utf-8")
        written.append(MANIFEST)
    return written


def qrcode_problems(source: Path = QR_SOURCE, target: Path = QR_TARGET) -> list[str]:
    """What is wrong with the committed QR code module: missing, edited, or not node_modules' version."""
    if not (target / MANIFEST).is_file():
        return [f"{target / MANIFEST} is missing: run `make web-assets` (needs `npm ci`)"]
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    if not (target / QR_FILE).is_file():
        return [f"{QR_FILE} is missing"]
    if sha256(target / QR_FILE) != manifest["files"][QR_FILE]:
        return [f"{QR_FILE} differs from its manifest entry"]
    if source.is_dir() and version_of(source) != manifest["version"]:
        return [f"node_modules has qrcode-generator {version_of(source)}, the copy is {manifest['version']}"]
    return []


def _permissions() -> ModuleType:
    """``arportal.domain.permissions`` (standard library only: importable without the project's dependencies)."""
    try:
        return importlib.import_module("arportal.domain.permissions")
    except ModuleNotFoundError:  # run as a script, without the project's PYTHONPATH
        sys.path.insert(0, str(LAYER))
        return importlib.import_module("arportal.domain.permissions")


_ROLES_JS_HEAD = """\
// GENERATED by web/build.py from arportal/domain/permissions.py (ROLE_PERMISSIONS): do not edit. Change
// permissions.py, then run `python3 web/build.py` (`make web-assets`); tests/unit/test_roles_js.py fails while the
// two differ. The roles' names are words, in the console's copy (copy/roles.js).
//
// What each staff role may do, so the console hides the actions a role may not take. For display only: the API
// enforces permissions on every call, and a 403 is shown as "not allowed" whatever this table says.
// exceptions.request: ask for a refund, void, reversal, adjustment or write-off; done at once when the role holds the
// action's own permission and the amount is within the threshold, otherwise sent for approval.

import { COPY } from "./copy.js";
"""

_ROLES_JS_FUNCTIONS = """\
/** The roles among a token's Cognito groups (unknown groups grant nothing). */
export function rolesOf(groups) {
  return (groups || []).filter((g) => Object.hasOwn(ROLES, g));
}

export function can(groups, permission) {
  return rolesOf(groups).some((role) => ROLES[role].includes(permission));
}

export function roleNames(groups) {
  const names = rolesOf(groups).map((role) => COPY.roles.names[role]);
  return names.length ? names.join(", ") : COPY.roles.none;
}
"""


def roles_js() -> str:
    """The text of ``roles.js``: every role's permissions, in the order ``Permission`` declares them."""
    permissions = _permissions()
    order = [p.value for p in permissions.Permission]
    table = {
        role.value: sorted((p.value for p in permissions.ROLE_PERMISSIONS[role]), key=order.index)
        for role in permissions.Role
    }
    return f"{_ROLES_JS_HEAD}\nconst ROLES = {json.dumps(table, indent=2)};\n\n{_ROLES_JS_FUNCTIONS}"


def role_names(path: Path = ROLE_COPY) -> dict[str, str]:
    """The roles' names in the console's copy (``names: {agent: "Agent", ...}``, on one line)."""
    found = _ROLE_NAMES.search(path.read_text(encoding="utf-8")) if path.is_file() else None
    return dict(re.findall(r'(\w+): "([^"]*)"', found.group(1))) if found else {}


def write_roles_js(path: Path = ROLES_JS) -> bool:
    """Write ``roles.js`` if it differs from what permissions.py says; whether it was written."""
    text = roles_js()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def roles_problems(path: Path = ROLES_JS, names: Path = ROLE_COPY) -> list[str]:
    """What is wrong with the committed ``roles.js``: missing, or not what permissions.py says; or a role the
    console's copy does not name."""
    found = []
    roles = sorted(role.value for role in _permissions().Role)
    named = role_names(names)
    if sorted(named) != roles or not all(named.values()):
        found.append(f"{names.name} must name every role of permissions.py, and only those: {roles}")
    if not path.is_file():
        found.append(f"{path.name} is missing: run `python3 web/build.py`")
    elif path.read_text(encoding="utf-8") != roles_js():
        found.append(f"{path.name} differs from arportal/domain/permissions.py: run `python3 web/build.py`")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="verify only, change nothing")
    args = parser.parse_args(argv)
    if not args.check and SOURCE.is_dir():
        written = build()
        print(f"web/vendor/uswds: {len(written)} file(s) updated" if written else "web/vendor/uswds: up to date")
    if not args.check and QR_SOURCE.is_dir():
        written = build_qrcode()
        print(
            f"web/vendor/qrcode-generator: {len(written)} file(s) updated"
            if written
            else "web/vendor/qrcode-generator: up to date"
        )
    found = problems()
    for problem in found:
        print(f"web/vendor/uswds: {problem}", file=sys.stderr)
    for problem in qrcode_problems():
        found.append(problem)
        print(f"web/vendor/qrcode-generator: {problem}", file=sys.stderr)
    if not args.check:
        print("web/console/js/roles.js: written" if write_roles_js() else "web/console/js/roles.js: up to date")
    role_problems = roles_problems()
    for problem in role_problems:
        print(f"web/console/js/roles.js: {problem}", file=sys.stderr)
    return 1 if found or role_problems else 0


if __name__ == "__main__":
    sys.exit(main())
