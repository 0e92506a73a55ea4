"""Retention: delete old submissions with everything attached to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from form_backend.db import Attachment, AuditEvent, Draft, Outbox, Submission, utcnow


def purge(sessions, older_than_days: int) -> int:
    """Delete submissions received more than ``older_than_days`` ago; return how many."""
    limit = utcnow() - dt.timedelta(days=older_than_days)
    with sessions.begin() as s:
        ids = s.execute(select(Submission.id).where(Submission.created_at < limit)).scalars().all()
        for table in (Attachment, Outbox, AuditEvent):
            s.execute(delete(table).where(table.submission_id.in_(ids)))
        s.execute(delete(Submission).where(Submission.id.in_(ids)))
        s.execute(delete(Draft).where(Draft.created_at < limit))
    return len(ids)
