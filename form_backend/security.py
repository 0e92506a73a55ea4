"""Security headers on every response: a CSP without inline script, no framing, no sniffing."""

from __future__ import annotations

from flask import Flask, Response

# Material's site needs its own scripts and styles (same origin) and inline styles for a few
# generated attributes; no inline script anywhere, no third-party origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'")


def install(app: Flask) -> None:
    """Add the headers to every response of ``app``."""

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
