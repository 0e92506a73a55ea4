"""The back-office's own tables: a case beside each submission (assignment, next deadline, the
office a complaint names), its search terms and its internal notes.

Searching names inside the stored answers would mean reading every record's JSON; instead each
submission gets, in the transaction that stores it, a few normalised *search terms*: the words
of the applicant's surname, given name or full name, the codice fiscale and the protocol, found
through the form fields' declared ``role`` (never a field id).  Only answers that are already
stored in clear become terms: special-category answers stay encrypted and are never indexed.
A term index makes a prefix search over 100,000 submissions one index range per word.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from form_backend.db import Base, FormDefinition, Submission, utcnow

# byte order on PostgreSQL, so that a prefix is one index range whatever the database's locale
TERM = String(80).with_variant(String(80, collation="C"), "postgresql")
NAME_ROLES = ("surname", "given_name", "full_name")
SEARCH_ROLES = (*NAME_ROLES, "tax_code")


class OfficeCase(Base):
    """What the office adds to a submission: who handles it, the next deadline still open, the
    office a complaint names (complaints about a desk are that desk's)."""

    __tablename__ = "office_cases"
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    assigned_to: Mapped[str | None] = mapped_column(String(80), index=True)
    due: Mapped[str | None] = mapped_column(String(10), index=True)  # ISO date
    office: Mapped[str | None] = mapped_column(String(80), index=True)
    applicant: Mapped[str | None] = mapped_column(String(200))  # as the list shows it
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchTerm(Base):
    """One normalised word a submission is found by (lower case, no accents, a–z 0–9 /)."""

    __tablename__ = "office_search_terms"
    __table_args__ = (Index("ix_office_search_terms_term", "term", "submission_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(TERM)


class CaseNote(Base):
    """An internal note on a submission: read by the office only, never sent to the citizen."""

    __tablename__ = "office_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)


# --- words ------------------------------------------------------------------------------

def normalise(text: Any) -> str:
    """Lower case, accents dropped, anything but letters, digits and ``/`` a space."""
    plain = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9/]+", " ", plain).strip()


def words(text: Any) -> list[str]:
    """The search words of ``text`` (at most 79 characters each)."""
    return [w[:79] for w in normalise(text).split() if w]


def prefix_range(word: str) -> tuple[str, str]:
    """``(low, high)``: every term starting with ``word`` is ``low <= term < high``."""
    return word, word[:-1] + chr(ord(word[-1]) + 1)


def roles_of(definition: dict | None) -> dict[str, str]:
    """``{role: field id}`` of a stored form definition (any nesting of sections or pages)."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("role") and node.get("id"):
                found.setdefault(str(node["role"]), str(node["id"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(definition)
    return found


def applicant_name(answers: dict, roles: dict[str, str]) -> str:
    """"Surname Given name" (or the full name) from the answers, by role."""
    if roles.get("full_name") and answers.get(roles["full_name"]):
        return str(answers[roles["full_name"]]).strip()
    parts = [answers.get(roles[r]) for r in ("surname", "given_name") if roles.get(r)]
    return " ".join(str(p).strip() for p in parts if p)


def terms_for(protocol: str, answers: dict, roles: dict[str, str]) -> set[str]:
    """The search terms of a submission: name words, codice fiscale, protocol."""
    terms: set[str] = set()
    for role in SEARCH_ROLES:
        if roles.get(role):
            terms.update(words(answers.get(roles[role])))
    terms.add(protocol.lower())
    _year, _, number = protocol.partition("/")
    if number:
        terms.add(str(int(number)))  # "123" finds 2026/0000123
    return terms


# --- deadlines --------------------------------------------------------------------------

# a deadline is met once the case has reached one of these statuses
MET_BY = {"call_in": {"convocazione", "conclusa"}}
MET_AT_CLOSURE = "conclusa"


def next_due(deadlines: dict[str, str], reached: Iterable[str]) -> str | None:
    """The earliest deadline not yet met, given every status the case has reached."""
    reached = set(reached)
    if MET_AT_CLOSURE in reached:
        return None
    open_ = [d for k, d in deadlines.items() if not (MET_BY.get(k, set()) & reached)]
    return min(open_, default=None)


# --- writing ----------------------------------------------------------------------------

_NEW_CASE = insert(OfficeCase.__table__)
_NEW_TERMS = insert(SearchTerm.__table__)


def index_submission(connection: Connection, submission_id: int, protocol: str, kind: str,
                     definition: dict | None, answers: dict, deadlines: dict[str, str],
                     fallback_roles: dict[str, str] | None = None) -> None:
    """Write the case row and search terms of a submission, in the caller's transaction
    (store.py calls it in the transaction that stores the submission)."""
    roles = roles_of(definition) or dict(fallback_roles or {})
    office = _office_answer(definition, answers)
    connection.execute(_NEW_CASE, {
        "submission_id": submission_id, "assigned_to": None, "office": office,
        "due": next_due(deadlines or {}, ["ricevuta"]), "updated_at": utcnow(),
        "applicant": applicant_name(answers, roles)[:200] or None})
    terms = terms_for(protocol, answers, roles)
    if terms:
        connection.execute(_NEW_TERMS, [{"submission_id": submission_id, "term": t}
                                        for t in sorted(terms)])


def _office_answer(definition: dict | None, answers: dict) -> str | None:
    """The office a complaint names: the answer of the form's ``office``-type field."""
    for field in _fields(definition):
        if field.get("type") == "office" and answers.get(field.get("id")):
            return str(answers[field["id"]])[:80]
    return None


def _fields(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if "id" in node and "type" in node:
            yield node
        for value in node.values():
            yield from _fields(value)
    elif isinstance(node, list):
        for value in node:
            yield from _fields(value)


def backfill(engine: Engine, current_roles: dict[str, dict[str, str]], batch: int = 500) -> int:
    """Index the submissions stored without a case row (before migration 0007, or by a
    process that did not index); returns how many.  Old form definitions declared no roles:
    the current form of the same kind lends its roles."""
    s, c = Submission.__table__, OfficeCase.__table__
    done = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(s.c.id, s.c.protocol, s.c.kind, s.c.data, s.c.deadlines, s.c.status,
                       FormDefinition.definition)
                .outerjoin(c, c.c.submission_id == s.c.id)
                .outerjoin(FormDefinition.__table__,
                           FormDefinition.version == s.c.form_version)
                .where(c.c.submission_id.is_(None)).order_by(s.c.id).limit(batch)).all()
            for row in rows:
                index_submission(connection, row.id, row.protocol, row.kind, row.definition,
                                 row.data or {}, {}, current_roles.get(row.kind))
                connection.execute(c.update().where(c.c.submission_id == row.id).values(
                    due=next_due(row.deadlines or {}, [row.status])))
        done += len(rows)
        if len(rows) < batch:
            return done


def forget(connection: Connection, submission_id: int) -> None:
    """Delete a submission's case, terms and notes (the foreign keys cascade too)."""
    for table in (SearchTerm, CaseNote, OfficeCase):
        connection.execute(delete(table).where(table.submission_id == submission_id))
