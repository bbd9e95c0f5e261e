"""Security headers on every response (pages, API, static files and errors alike)."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# No inline script or style and nothing from elsewhere: every script is a file under
# /static (an injected <script> or on*= attribute does not run). No framing at all.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (only where KOHTAANTO_OPENAPI is on) loads its own script and styles from
# a CDN and starts itself inline; it holds no personal data, but is still never framed.
DOCS_POLICY = "frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, hsts: bool) -> Any:
    """A ``before_send`` hook adding the headers; HSTS only when served over TLS."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        docs = path == "/schema" or path.startswith("/schema/")
        headers["Content-Security-Policy"] = DOCS_POLICY if docs else PAGE_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS

    return before_send
