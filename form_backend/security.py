"""Security headers on every response, and the one host the app answers for.

- A CSP without inline script or inline style (Material's pages and the forms need neither:
  checked in Chromium by tests/test_security_flow.py), no framing, no sniffing.
- ``Cache-Control: no-store`` on everything the app itself answers (forms, check pages,
  receipts and their PDF, office pages, attachments, CSV exports): only the built site's
  public files and the app's own CSS may be kept by a browser or a proxy.
- ``Strict-Transport-Security`` when ``HSTS_SECONDS`` is above 0 (behind HTTPS only), for the
  host's subdomains too (ASVS 5.0 3.4.1 asks for a year: 31536000).
- With ``PUBLIC_URL`` set, a request for any other host is refused with 400 (Flask's
  ``TRUSTED_HOSTS``), so no Host header can put its name into a page or an e-mail.
- No ``Server`` banner: the app sends none (``carta serve`` and gunicorn add their own; see
  docs/security.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from form_backend.config import ConfigError

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
# endpoints whose answers are public files, the same for everybody
_PUBLIC_FILES = {"site.page", "static"}


def install(app: Flask) -> None:
    """Add the headers to every response of ``app``; refuse other hosts when it has a
    public URL."""
    public = app.config.get("PUBLIC_URL")
    if public:
        host = urlsplit(public).hostname
        if not host:
            raise ConfigError(f"PUBLIC_URL {public!r} is not an absolute URL like "
                             "https://servizi.example.it")
        app.config["TRUSTED_HOSTS"] = [host]
    hsts = int(app.config.get("HSTS_SECONDS") or 0)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint not in _PUBLIC_FILES or (
                response.mimetype == "text/html" and "Cache-Control" not in response.headers):
            response.headers["Cache-Control"] = "no-store"
        if hsts > 0:
            response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
        response.headers.pop("Server", None)
        return response
