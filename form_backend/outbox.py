"""The retrying e-mail sender: delivers outbox rows, backs off while SMTP is down.

Each row is claimed with a conditional UPDATE of its own ``claimed_until`` lease before sending
(so two senders never hold the same row) and marked sent right after the SMTP server accepts it.
A crash between the two can only cause a repeat after the lease, never a loss.  The back-off
(``next_attempt_at``) is a separate column, so bringing retries forward (``retry_now``, after the
mail server is fixed) never hands a row that is being sent to a second sender.

Mail leaves over TLS (``SMTP_SECURITY`` "starttls" or "tls", the server's certificate checked
against the system's CAs or ``SMTP_CA_FILE``, TLS 1.2 at least) with ``SMTP_USERNAME`` /
``SMTP_PASSWORD`` when set.  Without a setting, plain SMTP is used only towards a loopback
host (a local relay); any other host is refused until TLS, or plain text explicitly
(``SMTP_SECURITY=none``), is configured.  A STARTTLS server that does not offer it is a
failure, never a fallback to plain text.  Each recipient is checked again to be one address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from form_backend.db import Outbox, utcnow
from form_backend.mailaddr import valid_address
from form_backend.store import as_message

log = logging.getLogger("carta.outbox")
LEASE = dt.timedelta(minutes=5)  # default; CARTA_OUTBOX_LEASE in seconds
# draft_id: migration 0006 (form_backend.follow_db); the row's link opened a saved draft
_FORGET_LINK = text("UPDATE outbox SET body = '' WHERE id = :id AND draft_id IS NOT NULL")


SECURITY = ("starttls", "tls", "none")
NEVER = dt.timedelta(days=36500)  # a row no retry can fix waits until someone looks


class SmtpRefused(smtplib.SMTPException):
    """The settings do not allow sending to this server (no TLS towards a remote host)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how outgoing mail is handed over."""

    host: str
    port: int = 25
    sender: str = "carta@localhost"
    security: str = "auto"  # starttls | tls | none | auto (none on loopback, else refused)
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings:
        """The settings of the app's configuration (``CARTA_SMTP_*``, ``CARTA_MAIL_FROM``)."""
        return cls(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]),
                   sender=config["MAIL_FROM"],
                   security=(config.get("SMTP_SECURITY") or "auto").strip().lower(),
                   username=config.get("SMTP_USERNAME") or None,
                   password=config.get("SMTP_PASSWORD") or None,
                   ca_file=config.get("SMTP_CA_FILE") or None)

    def mode(self) -> str:
        """The transport to use, or :class:`SmtpRefused` when the settings forbid sending."""
        mode = self.security
        if mode == "auto":
            if not _loopback(self.host):
                raise SmtpRefused(f"{self.host} is not a loopback host: set CARTA_SMTP_SECURITY "
                                  "to starttls or tls (or none to send personal data in clear)")
            mode = "none"
        if mode not in SECURITY:
            raise SmtpRefused(f"CARTA_SMTP_SECURITY={self.security!r}: use starttls, tls or none")
        if mode == "none" and self.username and not _loopback(self.host):
            raise SmtpRefused("a password is never sent in clear: use starttls or tls")
        return mode

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated SMTP session (TLS when configured)."""
        mode = self.mode()
        if mode == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                  context=self._context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if mode == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self._context())  # SMTPNotSupportedError if not offered
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.close()
            raise
        return smtp

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … at most one hour."""
    return dt.timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def _due(now):
    """Unsent, past its back-off, and not held by a sender (or held by one that died)."""
    return and_(Outbox.sent_at.is_(None), Outbox.next_attempt_at <= now,
                or_(Outbox.claimed_until.is_(None), Outbox.claimed_until <= now))


def retry_now(sessions: sessionmaker[Session]) -> int:
    """End the back-off of every unsent message (the mail server is back); return how many.

    Rows a sender holds keep their claim, so this cannot cause a second copy."""
    with sessions.begin() as session:
        now = utcnow()
        return session.execute(update(Outbox).where(
            and_(Outbox.sent_at.is_(None), Outbox.next_attempt_at > now))
            .values(next_attempt_at=now)).rowcount


def deliver_due(sessions: sessionmaker[Session], smtp: SmtpSettings | str,
                port: int | None = None, sender: str | None = None,
                lease: dt.timedelta = LEASE, limit: int = 100) -> tuple[int, int]:
    """Send the messages that are due; return (sent, failed: refused by the server or not
    sent because of the settings, the rest wait for the next round).

    ``smtp`` is the :class:`SmtpSettings`; a host name with ``port`` and ``sender`` (the
    older call) means plain SMTP on loopback only."""
    if not isinstance(smtp, SmtpSettings):
        smtp = SmtpSettings(host=smtp, port=int(port or 25), sender=sender or "carta@localhost")
    with sessions() as session:
        ids = session.execute(select(Outbox.id).where(_due(utcnow()))
                              .order_by(Outbox.id).limit(limit)).scalars().all()
    sent = failed = 0
    connection = None
    try:
        for row_id in ids:
            with sessions.begin() as session:
                now = utcnow()
                claimed = session.execute(
                    update(Outbox).where(and_(Outbox.id == row_id, _due(now)))
                    .values(claimed_until=now + lease)).rowcount
            if claimed != 1:
                continue
            with sessions() as session:
                row = session.get(Outbox, row_id)
                recipient = valid_address(row.recipient)
                message = as_message(row, smtp.sender) if recipient else None
                attempts = row.attempts
            if message is None:  # never hand the server a list disguised as one address
                _failed(sessions, row_id, attempts, "refused: not one valid recipient address",
                        NEVER)
                log.error("outbox: message %s has no valid recipient; not sent", row_id)
                continue
            try:
                if connection is None:
                    connection = smtp.connect()
                connection.send_message(message, to_addrs=[recipient])
            except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
                failed += 1
                connection = None
                _failed(sessions, row_id, attempts, f"{type(exc).__name__}: {exc}",
                        backoff(attempts + 1))
                log.warning("outbox: message %s not sent (%s); will retry", row_id,
                            type(exc).__name__)
                break  # the server is down: the rest wait for the next round
            with sessions.begin() as session:
                session.execute(update(Outbox).where(Outbox.id == row_id).values(
                    sent_at=utcnow(), attempts=attempts + 1, claimed_until=None,
                    last_error=None))
                # a save-and-return link opens a draft: once delivered it is not kept here
                session.execute(_FORGET_LINK, {"id": row_id})
            sent += 1
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.quit()
    return sent, failed


def _failed(sessions, row_id: int, attempts: int, error: str, wait: dt.timedelta) -> None:
    with sessions.begin() as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(
            attempts=attempts + 1, next_attempt_at=utcnow() + wait, claimed_until=None,
            last_error=error[:500]))


class Sender(threading.Thread):
    """Background delivery inside the web process (one per process; claims make it safe)."""

    def __init__(self, sessions, smtp: SmtpSettings, interval: float,
                 lease: dt.timedelta = LEASE):
        super().__init__(name="carta-outbox", daemon=True)
        self.args = (sessions, smtp)
        self.lease = lease
        self.interval = interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                deliver_due(*self.args, lease=self.lease)
            except Exception:  # the database may be down too; try again next round
                log.exception("outbox: delivery round failed")
