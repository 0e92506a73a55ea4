"""``/healthz``: database reachable, outbox backlog and the age of the oldest unsent message."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from form_backend.db import Outbox, utcnow


def health(app: Flask) -> tuple[dict, int]:
    """Health document and HTTP status (503 when the database does not answer)."""
    try:
        with app.extensions["carta_reader"]() as session:
            backlog, oldest = session.execute(
                select(func.count(Outbox.id), func.min(Outbox.created_at))
                .where(Outbox.sent_at.is_(None))).one()
    except SQLAlchemyError as exc:
        return {"status": "error", "database": f"unreachable ({type(exc).__name__})"}, 503
    age = None
    if oldest is not None:
        if oldest.tzinfo is None:
            from datetime import UTC

            oldest = oldest.replace(tzinfo=UTC)
        age = round((utcnow() - oldest).total_seconds())
    return {"status": "ok", "database": "ok", "outbox_backlog": backlog,
            "outbox_oldest_unsent_seconds": age}, 200
