"""One strict e-mail address per field (email-validator), for forms, the store and the outbox.

``p,postmaster@example.org`` is one string but two recipients to a mail library; a display
name, a quoted local part, an address literal, a line break or a second ``@`` is refused too.
Checked where the citizen types it (the form's e-mail field) and again before a message is
written to the outbox and before it is handed to the mail server.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def valid_address(text: str | None) -> str | None:
    """``text`` as one normalized deliverable-looking address (the domain in ASCII), or None.

    No DNS lookup: the check must answer the same offline and never wait on the network."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > 254:
        return None
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False,
                                allow_quoted_local=False, allow_domain_literal=False,
                                allow_display_name=False)
    except EmailNotValidError:
        return None
    return result.ascii_email or result.normalized


__all__ = ["valid_address"]
