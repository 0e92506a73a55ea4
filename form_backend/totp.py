"""The operators' second factor: TOTP (RFC 6238) with an authenticator app.

Secrets are made with the CSPRNG, shown once at enrolment (QR code and key), stored encrypted
with the backend's Fernet key, and each code's time step is used at most once.
"""

from __future__ import annotations

import base64
import hmac
import time

import pyotp
from flask import current_app
from sqlalchemy.orm import Session

from form_backend.auth import OperatorAuth, sign_in_row


def second_factor_needed(extra: OperatorAuth | None) -> bool:
    """Health-data access and the administrator role need a second factor, and so does an
    operator an administrator required it of; with ``OFFICE_TOTP_REQUIRED`` every operator
    does (OWASP ASVS level 2 asks multi-factor of every account)."""
    return bool(current_app.config.get("OFFICE_TOTP_REQUIRED")
                or (extra is not None and (extra.health_access or extra.totp_required
                                           or extra.role == "admin")))


def new_totp_secret() -> str:
    """A fresh base32 secret (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(32)


def seal(secret: str) -> bytes:
    """Encrypt a TOTP secret with the backend's Fernet key."""
    return current_app.extensions["carta_fernet"].encrypt(secret.encode())


def unseal(sealed: bytes) -> str:
    """Decrypt a TOTP secret."""
    return current_app.extensions["carta_fernet"].decrypt(sealed).decode()


def totp_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for clocks a little off),
    or ``None``; a step already used (``last_step``) is refused, so a code works once."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and step > (last_step or -1):
            return step
    return None


def provisioning(secret: str, name: str, issuer: str) -> tuple[str, str]:
    """``(otpauth URI, QR code as an SVG data: URL)`` for an authenticator app."""
    import qrcode
    import qrcode.image.svg

    uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string()
    return uri, "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def confirm_code(s: Session, user_id: int, code: str, secret: str | None = None) -> bool:
    """Check ``code`` against the user's secret (or ``secret`` being enrolled) and mark its
    time step used; on success with ``secret``, the secret becomes the user's."""
    row = sign_in_row(s, user_id)
    if secret is None and row.totp_secret is None:
        return False
    step = totp_step(secret or unseal(row.totp_secret), code, row.totp_last_step)
    if step is None:
        return False
    row.totp_last_step = step
    if secret is not None:
        row.totp_secret = seal(secret)
    return True
