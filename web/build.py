"""Copy the U.S. Web Design System assets the front-ends use from ``node_modules`` into ``web/vendor/uswds/``.

    python3 web/build.py            # copy (when node_modules has USWDS), else verify the committed copy
    python3 web/build.py --check    # verify only: exit 1 if the copy differs from node_modules or its manifest

The copy is committed, so deploying (``cdk deploy`` uploads ``web/``) and the local runtime need no npm step and no
network. Only what the pages load is copied: the compiled CSS, the files its ``url(...)`` references name (fonts,
icons), the icon sprite and the JavaScript. ``MANIFEST.json`` records the USWDS version and every file's SHA-256,
so a hand edit or a half-finished copy is caught by ``--check`` (``make test`` runs it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "@uswds" / "uswds"
TARGET = ROOT / "web" / "vendor" / "uswds"
MANIFEST = "MANIFEST.json"
# Paths under the package's dist/; the CSS's own url(...) references are added to these.
ENTRY_POINTS = ("css/uswds.min.css", "js/uswds.min.js", "img/sprite.svg")
LICENSE = "LICENSE.md"  # fonts (OFL) and icons (Apache 2.0) travel with their licence
_URL = re.compile(r"url\((?:\"|')?(\.\./[^)\"'#?]+)")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="verify only, change nothing")
    args = parser.parse_args(argv)
    if not args.check and SOURCE.is_dir():
        written = build()
        print(f"web/vendor/uswds: {len(written)} file(s) updated" if written else "web/vendor/uswds: up to date")
    found = problems()
    for problem in found:
        print(f"web/vendor/uswds: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
