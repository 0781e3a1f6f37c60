"""The dashboard: one HTML page and its static files, shipped in this package (static/).

The page and its files hold no data and are served without a key. The page's script fetches the
JSON endpoints every few seconds with the operator's key in X-Api-Key; it takes the key from the
page's fragment (`/dashboard#key=...`, which browsers never send to a server, so it stays out of
access logs and Referer headers; the script then drops it from the address bar) or from a form,
and keeps it in the tab's sessionStorage. A Content-Security-Policy allows scripts, styles and
fetches from this origin only: nothing is loaded from anywhere else.

Chart.js is shipped as released on npm (CHART_JS names the version and the file's SHA-256).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from chalice.app import Request, Response

from backbone.http.errors import ApiError
from backbone.http.runtime import header

CHART_JS: Final = (
    "4.6.1",
    "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2",
)
"""chart.js's version and the SHA-256 of its dist/chart.umd.min.js."""
ASSETS: Final = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard-view.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "chart.umd.min.js": "text/javascript; charset=utf-8",
    "chart.js-LICENSE.md": "text/plain; charset=utf-8",
}
"""Every file GET /dashboard/assets/{name} serves, by name, with its Content-Type."""
PAGE: Final = "dashboard.html"
HTML: Final = "text/html; charset=utf-8"
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class StaticFile:
    text: str
    content_type: str
    etag: str


@cache
def static_file(name: str, content_type: str) -> StaticFile:
    """A file of static/, read once per process."""
    text = resources.files(__package__ or "").joinpath("static", name).read_text("utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return StaticFile(text, content_type, f'"{digest}"')


def page(request: Request) -> Response:
    """GET /dashboard."""
    return _serve(request, static_file(PAGE, HTML))


def asset(request: Request, name: str) -> Response:
    """GET /dashboard/assets/{name}: only the files ASSETS names."""
    content_type = ASSETS.get(name)
    if content_type is None:
        message = f"no dashboard file {name!r}; the files are {', '.join(sorted(ASSETS))}"
        raise ApiError(404, "asset_not_found", message, field="name")
    return _serve(request, static_file(name, content_type))


def _serve(request: Request, file: StaticFile) -> Response:
    """The file, or 304 when the browser holds this version (If-None-Match)."""
    headers: dict[str, str | list[str]] = {
        **SECURITY_HEADERS,
        "ETag": file.etag,
        "Cache-Control": "no-cache",
    }
    if header(request, "If-None-Match") == file.etag:
        return Response("", status_code=304, headers=headers)
    return Response(file.text, headers=headers | {"Content-Type": file.content_type})
