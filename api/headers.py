"""Security headers on every response: no MIME sniffing, no framing, no referrer.

A pure ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on the hot path). A page that
sets its own Content-Security-Policy keeps it; any other response gets ``frame-ancestors 'none'``.
The 500 is written outside every middleware (by Starlette's ServerErrorMiddleware), so its
handler adds :data:`SECURITY_HEADERS` itself.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "SecurityHeaders"]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class SecurityHeaders:
    """Add the headers to each HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
