"""The retrying e-mail sender: delivers outbox rows, backs off while SMTP is down.

Each row is claimed with a conditional UPDATE before sending (so two workers never send the
same row) and marked sent right after the SMTP server accepts it.  A crash between the two can
only cause a repeat, never a loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import threading

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, sessionmaker

from form_backend.db import Outbox, utcnow
from form_backend.store import as_message

log = logging.getLogger("carta.outbox")
LEASE = dt.timedelta(minutes=5)  # default; CARTA_OUTBOX_LEASE in seconds


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 10 s, 20 s, 40 s … at most one hour."""
    return dt.timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def deliver_due(sessions: sessionmaker[Session], host: str, port: int, sender: str,
                lease: dt.timedelta = LEASE,
                limit: int = 100) -> tuple[int, int]:
    """Send the messages that are due; return (sent, failed)."""
    now = utcnow()
    with sessions() as session:
        ids = session.execute(select(Outbox.id).where(
            and_(Outbox.sent_at.is_(None), Outbox.next_attempt_at <= now))
            .order_by(Outbox.id).limit(limit)).scalars().all()
    sent = failed = 0
    smtp = None
    try:
        for row_id in ids:
            with sessions.begin() as session:
                claimed = session.execute(
                    update(Outbox).where(and_(Outbox.id == row_id, Outbox.sent_at.is_(None),
                                              Outbox.next_attempt_at <= utcnow()))
                    .values(next_attempt_at=utcnow() + lease)).rowcount
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
                        last_error=f"{type(exc).__name__}: {exc}"[:500]))
                log.warning("outbox: message %s not sent (%s); will retry", row_id,
                            type(exc).__name__)
                break  # the server is down: the rest wait for the next round
            with sessions.begin() as session:
                session.execute(update(Outbox).where(Outbox.id == row_id).values(
                    sent_at=utcnow(), attempts=attempts + 1, last_error=None))
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
