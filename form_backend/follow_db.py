"""Tables of the citizen's journey after the receipt (migration 0006).

- ``citizen_messages``: what the office writes to the citizen with a status change (kept
  apart from the audit note, which is the office's own and never shown to the citizen).
- ``draft_saves``: "save and continue later": the SHA-256 of the e-mailed token, per draft.
- ``ease_ratings``: the ease-of-use answers, with nothing but the form id and the month: a
  random id, no time of day, no submission; ``ease_given`` only remembers which submissions
  have answered (so a receipt is asked once), without the answer.

The outbox also gains ``draft_id`` (the save-later e-mail belongs to a draft, not to a
submission, so ``submission_id`` may be empty).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, column, table
from sqlalchemy.orm import Mapped, mapped_column

from form_backend.db import Base, utcnow


class CitizenMessage(Base):
    """A message from the office to the citizen, sent with a status change."""

    __tablename__ = "citizen_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str | None] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)


class DraftSave(Base):
    """A draft saved to finish later: the token's SHA-256 and until when it opens the draft."""

    __tablename__ = "draft_saves"
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"),
                                          primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EaseRating(Base):
    """One answer to "how easy was it": form id, month, score 1–5, optional comment."""

    __tablename__ = "ease_ratings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: no order to match
    form: Mapped[str] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7))  # 2026-11
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class EaseGiven(Base):
    """A submission whose citizen has answered the question (not what they answered)."""

    __tablename__ = "ease_given"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               primary_key=True, autoincrement=False)


# the outbox as migration 0006 leaves it (form_backend.db.Outbox does not map draft_id)
OUTBOX = table("outbox", column("id"), column("submission_id"), column("draft_id"),
               column("recipient"), column("subject"), column("body"), column("created_at"),
               column("attempts"), column("next_attempt_at"))
