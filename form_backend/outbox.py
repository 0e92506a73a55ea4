"""The retrying e-mail sender: delivers outbox rows, backs off while SMTP is down.

Each row is claimed with a conditional UPDATE of its own ``claimed_until`` lease before sending
(so two senders never hold the same row) and marked sent right after the SMTP server accepts it.
A crash between the two can only cause a repeat after the lease, never a loss.  The back-off
(``next_attempt_at``) is a separate column, so bringing retries forward (``retry_now``, after the
mail server is fixed) never hands a row that is being sent to a second sender.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import threading

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from form_backend.db import Outbox, utcnow
from form_backend.store import as_message

log = logging.getLogger("carta.outbox")
LEASE = dt.timedelta(minutes=5)  # default; CARTA_OUTBOX_LEASE in seconds


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


def deliver_due(sessions: sessionmaker[Session], host: str, port: int, sender: str,
                lease: dt.timedelta = LEASE,
                limit: int = 100) -> tuple[int, int]:
    """Send the messages that are due; return (sent, failed)."""
    with sessions() as session:
        ids = session.execute(select(Outbox.id).where(_due(utcnow()))
                              .order_by(Outbox.id).limit(limit)).scalars().all()
    sent = failed = 0
    smtp = None
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
                message = as_message(row, sender)
                attempts = row.attempts
            try:
                if smtp is None:
                    smtp = smtplib.SMTP(host, port, timeout=10)
                smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as exc:
                failed += 1
                smtp = None
                with sessions.begin() as session:
                    session.execute(update(Outbox).where(Outbox.id == row_id).values(
                        attempts=attempts + 1, next_attempt_at=utcnow() + backoff(attempts + 1),
                        claimed_until=None, last_error=f"{type(exc).__name__}: {exc}"[:500]))
                log.warning("outbox: message %s not sent (%s); will retry", row_id,
                            type(exc).__name__)
                break  # the server is down: the rest wait for the next round
            with sessions.begin() as session:
                session.execute(update(Outbox).where(Outbox.id == row_id).values(
                    sent_at=utcnow(), attempts=attempts + 1, claimed_until=None,
                    last_error=None))
            sent += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return sent, failed


class Sender(threading.Thread):
    """Background delivery inside the web process (one per process; claims make it safe)."""

    def __init__(self, sessions, host, port, sender, interval: float,
                 lease: dt.timedelta = LEASE):
        super().__init__(name="carta-outbox", daemon=True)
        self.args = (sessions, host, port, sender, lease)
        self.interval = interval
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                deliver_due(*self.args)
            except Exception:  # the database may be down too; try again next round
                log.exception("outbox: delivery round failed")
