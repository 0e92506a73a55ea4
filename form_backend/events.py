"""The moments standards are measured from, derived from what the backend already records.

A submission's arrival (``created_at``) is ``received``; every other event is a status change
in the audit trail (``AuditEvent`` rows with a ``to_status``):

==========================  ==========================================================
event                       first audit row that …
==========================  ==========================================================
taken_in_charge             moves to ``in-istruttoria``
call_in                     moves to ``convocazione``
integration_requested       moves to ``integrazione-richiesta``
integration_received        moves from ``integrazione-richiesta`` back to examination
decision                    moves a domanda to ``conclusa``
complaint_answer            moves a reclamo to ``conclusa``
closure                     (the last) move to ``conclusa``, if the case is still there
==========================  ==========================================================

Two events are not status changes: the office records the day they took place on the case's
page (``POST /ufficio/<id>/evento``, :mod:`form_backend.office.events`), as audit rows with
action ``evento:<event>`` and the day (``2025-04-22``) as their note:

==========================  ==========================================================
meeting                     the meeting (colloquio) with the citizen took place
activation                  the service started for the person
==========================  ==========================================================

A day recorded again replaces the one before (the latest record counts); it stands for noon,
Europe/Rome.  Reading is read-only: this module never writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from carta.model.quality import Event
from carta.monitoring.measure import Case

CONCLUDED = "conclusa"
_FIRST_MOVE_TO = {"in-istruttoria": Event.taken_in_charge,
                  "convocazione": Event.call_in,
                  "integrazione-richiesta": Event.integration_requested}
# events the office records by hand, with the day they took place
OFFICE_RECORDED = (Event.meeting, Event.activation)
ACTION_PREFIX = "evento:"
# events a standard can be measured to or from with today's records
RECORDED = frozenset(Event)
_ROME = ZoneInfo("Europe/Rome")

Move = tuple[dt.datetime, str | None, str | None]  # (at, from_status, to_status)


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime (SQLite hands back the stored UTC time without its zone)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def recorded_day(action: str, note: str | None) -> tuple[Event, dt.datetime] | None:
    """The event and moment of an audit row the office wrote with :data:`ACTION_PREFIX`
    (None for any other row, or one whose day does not read)."""
    name = action[len(ACTION_PREFIX):] if action.startswith(ACTION_PREFIX) else ""
    if name not in {e.value for e in OFFICE_RECORDED}:
        return None
    try:
        day = dt.date.fromisoformat((note or "").strip())
    except ValueError:
        return None
    return Event(name), dt.datetime.combine(day, dt.time(12), _ROME).astimezone(dt.UTC)


def derive(kind: str, received: dt.datetime, moves: Iterable[Move],
           recorded: Iterable[tuple[Event, dt.datetime]] = ()) -> dict[Event, dt.datetime]:
    """The events of one submission from its arrival, its status changes (in the order
    they were recorded) and the days the office recorded (the latest of each wins)."""
    out: dict[Event, dt.datetime] = {Event.received: as_utc(received)}
    for event, at in recorded:
        out[event] = at
    last_concluded = None
    status = None
    for at, from_status, to_status in moves:
        if to_status is None:
            continue  # consulted, downloaded …: not a status change
        at = as_utc(at)
        event = _FIRST_MOVE_TO.get(to_status)
        if event is not None:
            out.setdefault(event, at)
        if from_status == "integrazione-richiesta" and to_status != CONCLUDED:
            out.setdefault(Event.integration_received, at)
        if to_status == CONCLUDED:
            out.setdefault(Event.decision if kind == "domanda" else Event.complaint_answer, at)
            last_concluded = at
        status = to_status
    if status == CONCLUDED:
        out[Event.closure] = last_concluded
    return out


def read_cases(engine: Engine, until: dt.date | None = None) -> list[Case]:
    """Every domanda and reclamo received before ``until`` (all when None), with its events.

    Reads only (plain SELECTs on a read-only engine); personal data is never loaded."""
    from form_backend.db import AuditEvent, Submission

    s, a = Submission.__table__, AuditEvent.__table__
    query = select(s.c.id, s.c.kind, s.c.service, s.c.comune, s.c.created_at)
    moves_query = (select(a.c.submission_id, a.c.at, a.c.from_status, a.c.to_status)
                   .where(a.c.to_status.is_not(None)).order_by(a.c.submission_id, a.c.id))
    days_query = (select(a.c.submission_id, a.c.action, a.c.note)
                  .where(a.c.action.startswith(ACTION_PREFIX))
                  .order_by(a.c.submission_id, a.c.id))
    if until is not None:
        # a day's margin for time zones; the year is decided on local dates afterwards
        limit = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(s.c.created_at < limit)
        received_before = select(s.c.id).where(s.c.created_at < limit)
        moves_query = moves_query.where(a.c.submission_id.in_(received_before))
        days_query = days_query.where(a.c.submission_id.in_(received_before))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        moves: dict[int, list[Move]] = defaultdict(list)
        for sid, at, from_status, to_status in conn.execute(moves_query):
            moves[sid].append((at, from_status, to_status))
        days: dict[int, list[tuple[Event, dt.datetime]]] = defaultdict(list)
        for sid, action, note in conn.execute(days_query):
            found = recorded_day(action, note)
            if found is not None:
                days[sid].append(found)
    return [Case(kind=kind, service=service, comune=comune,
                 events=derive(kind, created, moves.get(sid, ()), days.get(sid, ())),
                 ref=str(sid))
            for sid, kind, service, comune, created in rows]
