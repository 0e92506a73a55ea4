"""Layered configuration: safe defaults → CARTA_* environment → the test mapping.

The one place that decides the backend's settings: ``carta serve``, the WSGI entry
(``form_backend.wsgi``) and every ``carta`` command get them from :func:`load_config`,
the encryption key included (``CARTA_ENCRYPTION_KEY``, else ``ROOT/instance/encryption.key``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "CARTA_ROOT": ".",
    "CARTA_SITE_DIR": None,  # default: ROOT/site
    "DATABASE_URL": None,  # default: sqlite file under ROOT/instance
    "SECRET_KEY": None,  # default: random per process (sessions do not survive restarts)
    # Fernet key for special-category data; default: ROOT/instance/encryption.key
    "ENCRYPTION_KEY": None,
    # the site's public address (https://servizi.example.it); absolute links in e-mails are
    # built from it, never from the request's Host header
    "PUBLIC_URL": None,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    # starttls | tls (implicit, port 465) | none; empty: none towards a loopback relay only,
    # any other host is refused (personal data never leaves in clear unless set to none)
    "SMTP_SECURITY": "",
    "SMTP_USERNAME": "",  # AUTH after TLS when set (never in clear to a remote host)
    "SMTP_PASSWORD": "",
    "SMTP_CA_FILE": "",  # CA bundle for the mail server's certificate; empty: the system's
    "MAIL_FROM": "carta@localhost",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SUBMIT": "20 per minute;200 per hour",
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    "UPLOAD_MAX_FILES": 6,
    # clamd's unix socket (e.g. /run/clamav/clamd.ctl): every upload is scanned, and refused
    # while the scanner does not answer; empty: no virus scan
    "CLAMD_SOCKET": "",
    "SESSION_COOKIE_SECURE": False,  # set true behind HTTPS
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 3 * 3600,
    "OUTBOX_INTERVAL": 5.0,  # seconds between delivery rounds of the in-process sender
    "OUTBOX_SENDER": True,
    # a claimed e-mail is not claimed again for this long (a sender that died mid-send)
    "OUTBOX_LEASE": 300.0,
    "OFFICE_EMAIL": None,  # where office notices go when the charter lists no office e-mail
    "AUTO_MIGRATE": True,  # run migrations at start-up (set false when several instances start)
    "WRITER_TIMEOUT": 60.0,  # seconds a send waits for its commit before a 503 "send again"
    "BENCH_BARE_ROUTE": False,
    # hours a filled-in form waits on its check-your-answers page; then its answers (health
    # data included) are deleted and the citizen is asked to fill it in again
    "DRAFT_TTL_HOURS": 24,
    "HSTS_SECONDS": 0,  # Strict-Transport-Security max-age, sent when above 0 (HTTPS only)
    # office sign-in (form_backend.auth): a session ends after this many idle minutes, and
    # in any case this many hours after the login
    "OFFICE_IDLE_MINUTES": 30.0,
    "OFFICE_MAX_HOURS": 12.0,
    # after this many wrong passwords or codes in a row an operator's account waits
    # OFFICE_LOCKOUT_MINUTES, doubled at each further failure (at most 4 hours)
    "OFFICE_LOCKOUT_AFTER": 5,
    "OFFICE_LOCKOUT_MINUTES": 15.0,
    # reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none, the
    # client's address is the connection's; 1 for the documented nginx in front of gunicorn)
    "TRUSTED_PROXIES": 0,
    # every operator enrols a TOTP second factor (true for OWASP ASVS level 2); without it
    # only operators with health-data access must
    "OFFICE_TOTP_REQUIRED": False,
    # identification through OpenID Connect (form_backend.oidc): the identity provider's
    # issuer (its discovery document is ISSUER/.well-known/openid-configuration; a SPID/CIE
    # gateway that speaks OIDC); empty: no identification, the forms work without it
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_FORMS": "domanda",  # the forms that require it, comma-separated form ids
    "OIDC_SCOPES": "openid profile",
    # the claim holding the codice fiscale when the provider does not send SPID/CIE's
    # https://attributes.eid.gov.it/fiscal_number
    "OIDC_TAX_CODE_CLAIM": "",
    "OIDC_PROVIDER_NAME": "SPID / CIE",  # as the button and the office name the provider
}
# CARTA_<NAME> environment variables override these (e.g. CARTA_DATABASE_URL).
ENV_NAMES = [k for k in DEFAULTS if k != "CARTA_ROOT" and k != "CARTA_SITE_DIR"]


def _coerce(default: Any, value: str) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def load_config(test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``CARTA_*`` environment variables, then ``test_config``."""
    config = dict(DEFAULTS)
    for name in ("CARTA_ROOT", "CARTA_SITE_DIR"):
        if os.environ.get(name):
            config[name] = os.environ[name]
    for name in ENV_NAMES:
        value = os.environ.get(f"CARTA_{name}")
        if value is not None and value != "":
            config[name] = _coerce(DEFAULTS[name], value) if DEFAULTS[name] is not None else value
    config.update(test_config or {})
    root = Path(config["CARTA_ROOT"]).resolve()
    config["CARTA_ROOT"] = str(root)
    config["CARTA_SITE_DIR"] = str(Path(config["CARTA_SITE_DIR"] or root / "site").resolve())
    if not config["DATABASE_URL"]:
        instance = root / "instance"
        instance.mkdir(exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance / 'carta.db'}"
    if not config["ENCRYPTION_KEY"]:
        path = key_path(root)
        if path.is_file():
            config["ENCRYPTION_KEY"] = path.read_text(encoding="ascii").strip()
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = secrets.token_hex(32)
    return config


class ConfigError(Exception):
    """A setting the backend cannot start without is missing or wrong."""


def key_path(root: Path | str) -> Path:
    """Where the encryption key lives when ``CARTA_ENCRYPTION_KEY`` is not set."""
    return Path(root).resolve() / "instance" / "encryption.key"


def ensure_key(root: Path | str) -> Path | None:
    """Create the key file (mode 600) unless the environment gives a key or the file exists;
    return its path when it was created (the caller tells the operator to back it up)."""
    from cryptography.fernet import Fernet

    if os.environ.get("CARTA_ENCRYPTION_KEY"):
        return None
    path = key_path(root)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(Fernet.generate_key().decode())
    return path


def check_key(config: dict[str, Any]) -> None:
    """Refuse to start without a usable encryption key, before any citizen sends health data."""
    from cryptography.fernet import Fernet

    key = config.get("ENCRYPTION_KEY")
    where = key_path(config["CARTA_ROOT"])
    if not key:
        raise ConfigError(
            f"no encryption key: set CARTA_ENCRYPTION_KEY or create {where} "
            f"(`carta serve --root {config['CARTA_ROOT']}` creates it; back it up: without "
            "it the health data cannot be read)")
    try:
        Fernet(key)
    except (ValueError, TypeError):
        raise ConfigError("the encryption key (CARTA_ENCRYPTION_KEY or "
                          f"{where}) is not a Fernet key: 32 url-safe base64-encoded bytes")
