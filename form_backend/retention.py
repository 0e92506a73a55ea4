"""Retention: delete old submissions with everything attached to them, and leave nothing of
them in the database files (SQLite: see :func:`form_backend.db.scrub`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from form_backend.db import Attachment, AuditEvent, Draft, Outbox, Submission, scrub, utcnow


def purge(sessions, older_than_days: int) -> int:
    """Delete submissions received more than ``older_than_days`` ago; return how many.

    With SQLite the write-ahead log is then emptied and the file rebuilt, so that the purged
    records are not left in the log or in free pages.  PostgreSQL keeps dead rows' bytes
    until they are overwritten (``scrub`` says what VACUUM does and does not guarantee)."""
    limit = utcnow() - dt.timedelta(days=older_than_days)
    with sessions.begin() as s:
        ids = s.execute(select(Submission.id).where(Submission.created_at < limit)).scalars().all()
        for table in (Attachment, Outbox, AuditEvent):
            s.execute(delete(table).where(table.submission_id.in_(ids)))
        s.execute(delete(Submission).where(Submission.id.in_(ids)))
        drafts = s.execute(delete(Draft).where(Draft.created_at < limit)).rowcount
    if ids or drafts:  # rebuilding the file costs a full copy: only when something went
        scrub(sessions.kw["bind"])
    return len(ids)
