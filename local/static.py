"""Static files for the local gateway: the two front-ends and Swagger UI's assets.

A URL path maps into exactly one mounted directory; anything that would resolve outside it (``..``, encoded
slashes, symlinks pointing out) is refused, not served.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from infrastructure.catalog import ROOT

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Mount:
    prefix: str  # URL prefix ending in "/"
    directory: Path


# Longest prefix first. The deployed CloudFront distribution serves the same trees from S3.
MOUNTS: tuple[Mount, ...] = (
    Mount("/swagger-ui/", ROOT / "node_modules" / "swagger-ui-dist"),
    Mount("/vendor/", ROOT / "web" / "vendor"),  # USWDS assets both front-ends share (web/build.py)
    Mount("/shared/", ROOT / "web" / "shared"),  # the JS modules and CSS both front-ends share
    Mount("/console/", ROOT / "web" / "console"),
    Mount("/", ROOT / "web" / "portal"),
)


@dataclass(frozen=True)
class StaticFile:
    path: Path
    content_type: str


class Forbidden(Exception):
    """The path tried to leave its mount."""


def content_type(path: Path) -> str:
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve(url_path: str, mounts: tuple[Mount, ...] = MOUNTS) -> StaticFile | None:
    """The file a (percent-decoded) URL path names, None if there is none; ``Forbidden`` for traversal."""
    if "\x00" in url_path or "\\" in url_path:
        raise Forbidden(url_path)
    mount = next((m for m in mounts if url_path.startswith(m.prefix)), None)
    if mount is None or not mount.directory.is_dir():
        return None
    relative = url_path[len(mount.prefix) :]
    if any(part == ".." for part in relative.split("/")):
        raise Forbidden(url_path)
    root = mount.directory.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root):
        raise Forbidden(url_path)
    if candidate.is_dir():
        candidate = candidate / "index.html"
    if not candidate.is_file():
        return None
    return StaticFile(candidate, content_type(candidate))


def needs_slash(url_path: str, mounts: tuple[Mount, ...] = MOUNTS) -> bool:
    """``/console`` -> redirect to ``/console/`` so relative links in its index.html resolve."""
    return any(m.prefix == url_path + "/" and m.prefix != "/" for m in mounts)
