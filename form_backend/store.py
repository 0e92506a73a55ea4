"""Saving a submission: protocol number, record, attachments, outbox and audit in ONE transaction.

Nothing is acknowledged before the transaction commits; a retried request with the same
idempotency key gets the record already stored instead of a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from carta.model.calendar import add_days, add_working_days
from carta.model.charter import Charter
from carta.model.quality import Comparison, Unit
from carta.model.service import Service
from form_backend.db import (
    Attachment,
    AuditEvent,
    FormDefinition,
    Outbox,
    PrivacyNotice,
    Submission,
    format_protocol,
    insert_if_missing,
    next_protocol,
    scrub,
)
from form_backend.mailaddr import valid_address
from form_backend.uploads import display_name
from form_backend.writer import GroupWriter

ROME = ZoneInfo("Europe/Rome")
log = logging.getLogger("carta.store")


@dataclass
class Upload:
    """A checked upload ready to store."""

    document: str
    filename: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        """Hex digest of the content."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Pending:
    """Everything validated about one submission, before it is stored."""

    kind: str
    key: str
    lang: str
    charter: Charter
    definition: dict
    form_version: str
    answers: dict[str, Any]
    sensitive: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    service: Service | None = None
    comune: str | None = None
    points: int | None = None
    band: str | None = None
    copy_to: str | None = None
    identified_by: str | None = None  # the identity provider's issuer (form_backend.oidc)
    # the privacy notice the citizen acknowledged: its version and its text as shown
    notice_version: str | None = None
    notice: dict | None = None


def encrypt(fernet: Fernet | None, data: dict[str, Any]) -> bytes | None:
    """Special-category answers as an encrypted blob (None when there are none)."""
    if not data:
        return None
    if fernet is None:
        raise RuntimeError("special-category data needs CARTA_ENCRYPTION_KEY to be stored")
    return fernet.encrypt(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())


def decrypt(fernet: Fernet | None, blob: bytes | None) -> dict[str, Any]:
    """The special-category answers of a record (empty without the key)."""
    if not blob or fernet is None:
        return {}
    return json.loads(fernet.decrypt(blob))


def digest_key(fernet: Fernet) -> bytes:
    """The key of the content digest: HKDF-SHA256 over the Fernet key, so whoever can read the
    database but not the key cannot test guesses of the encrypted answers against it."""
    cached = _DIGEST_KEYS.get(fernet)
    if cached is None:
        # Fernet keeps the two halves of its key; the digest key is derived from both
        raw = fernet._signing_key + fernet._encryption_key
        cached = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                      info=b"carta content digest v1").derive(raw)
        _DIGEST_KEYS[fernet] = cached
    return cached


_DIGEST_KEYS: weakref.WeakKeyDictionary[Fernet, bytes] = weakref.WeakKeyDictionary()


def keyed_digest(fernet: Fernet | None, kind: str, service: str | None, answers: dict,
                 sensitive: dict, attachment_digests: list[str]) -> str:
    """HMAC-SHA256 (keyed by :func:`digest_key`) of what was submitted: the same content gives
    the same digest under the same key (duplicates stay recognisable, a changed record shows),
    and without the key nothing about the answers can be learnt or tested from it."""
    if fernet is None:
        raise RuntimeError("the content digest needs CARTA_ENCRYPTION_KEY")
    body = {"kind": kind, "service": service, "answers": answers, "sensitive": sensitive,
            "attachments": sorted(attachment_digests)}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hmac.new(digest_key(fernet), text, hashlib.sha256).hexdigest()


def content_digest(p: Pending, fernet: Fernet | None) -> str:
    """The keyed digest of ``p``: answers, special data and attachment digests."""
    return keyed_digest(fernet, p.kind, p.service.slug if p.service else None, p.answers,
                        p.sensitive, [u.sha256 for u in p.uploads])


def rehash_digests(engine: Engine, fernet: Fernet, batch: int = 200) -> int:
    """Give the records whose digest migration 0004 cleared (it was an unkeyed SHA-256 that
    let guesses of the health answers be tested) their keyed digest; return how many.

    Run at start-up, where the key is known; records whose special data this key cannot
    decrypt are left cleared and logged.  Safe in several processes at once: every process
    computes the same value."""
    s, a = Submission.__table__, Attachment.__table__
    done = 0
    try:
        with engine.connect() as connection:
            ids = connection.execute(select(s.c.id).where(s.c.content_sha256 == "")
                                     .order_by(s.c.id)).scalars().all()
    except SQLAlchemyError:  # not migrated yet (AUTO_MIGRATE off): `carta db upgrade` first
        return 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        with engine.begin() as connection:
            rows = connection.execute(select(s.c.id, s.c.kind, s.c.service, s.c.data,
                                             s.c.sensitive).where(s.c.id.in_(chunk))).all()
            files: dict[int, list[str]] = {}
            for sid, sha in connection.execute(select(a.c.submission_id, a.c.sha256)
                                               .where(a.c.submission_id.in_(chunk))):
                files.setdefault(sid, []).append(sha)
            for row in rows:
                try:
                    secret = decrypt(fernet, row.sensitive)
                except InvalidToken:
                    log.error("rehash: record %s was encrypted with another key", row.id)
                    continue
                digest = keyed_digest(fernet, row.kind, row.service, row.data, secret,
                                      files.get(row.id, []))
                done += connection.execute(update(s).where(s.c.id == row.id,
                                                           s.c.content_sha256 == "")
                                           .values(content_sha256=digest)).rowcount
    if done:
        log.info("rehash: %s content digests keyed", done)
        scrub(engine)  # the cleared digests' old page images leave the write-ahead log
    return done


_DEADLINES: dict[tuple, dict[str, str]] = {}


def deadlines(charter: Charter, kind: str, received: dt.date, service: Service | None,
              comune_id: str | None) -> dict[str, str]:
    """Dates the office must meet, from the YAML, in Italian working days where it says so
    (the same for every submission of a day: computed once per charter, day, kind, scheda
    and comune)."""
    key = (charter.content_hash, kind, received, service.slug if service else None, comune_id)
    cached = _DEADLINES.get(key)
    if cached is None:
        if len(_DEADLINES) > 4096:
            _DEADLINES.clear()
        cached = _DEADLINES[key] = _deadlines(charter, kind, received, service, comune_id)
    return dict(cached)


def _deadlines(charter: Charter, kind: str, received: dt.date, service: Service | None,
               comune_id: str | None) -> dict[str, str]:
    comune = next((c for c in charter.district.comuni if c.id == comune_id), None)
    out: dict[str, str] = {}
    if kind == "reclamo":
        c = charter.complaints  # only the deadlines the charter states (all optional)
        if c.call_in_days is not None:
            out["call_in"] = add_days(received, c.call_in_days).isoformat()
        if c.meeting_within_working_days is not None:
            out["meeting"] = add_working_days(received, c.meeting_within_working_days,
                                              comune).isoformat()
        if c.user_protection_days is not None:
            out["user_protection"] = add_days(received, c.user_protection_days).isoformat()
    elif service is not None:
        for i, q in enumerate(service.quality, 1):
            t = q.target
            if t and t.comparison in (Comparison.at_most,) and t.period is None and \
                    t.unit in (Unit.days, Unit.working_days):
                due = (add_working_days(received, int(t.value), comune)
                       if t.unit is Unit.working_days else add_days(received, int(t.value)))
                out[f"quality-{i}"] = due.isoformat()
    return out


@dataclass(frozen=True)
class Stored:
    """What the caller needs of a stored submission."""

    id: int
    protocol: str
    created_at: dt.datetime


def _stored(connection: Connection, key: str) -> Stored | None:
    t = Submission.__table__
    row = connection.execute(select(t.c.id, t.c.protocol, t.c.created_at)
                             .where(t.c.idempotency_key == key)).first()
    return Stored(*row) if row else None


# The hot path's statements, built once: each submission only binds its values.
_NEW_SUBMISSION = insert(Submission.__table__).returning(Submission.__table__.c.id)
_NEW_ATTACHMENTS = insert(Attachment.__table__)
_NEW_EVENT = insert(AuditEvent.__table__)
_NEW_MAILS = insert(Outbox.__table__)
_KNOWN_DEFINITIONS: set[tuple[int, str]] = set()  # (engine id, version) known to be stored
_KNOWN_NOTICES: set[tuple[int, str]] = set()  # the same for privacy notices


def _ensure_definition(connection: Connection, version: str, definition: dict) -> None:
    """Store the form definition of ``version`` the first time a submission uses it (another
    process may be storing the same version at this moment: the first one wins)."""
    key = (id(connection.engine), version)
    if key in _KNOWN_DEFINITIONS:
        return
    insert_if_missing(connection, FormDefinition.__table__, "version",
                      {"version": version, "definition": definition,
                       "created_at": dt.datetime.now(dt.UTC)})
    # remembered only once that transaction has committed
    event.listen(connection, "commit", lambda _c: _KNOWN_DEFINITIONS.add(key), once=True)


def _ensure_notice(connection: Connection, version: str, notice: dict) -> None:
    """Store the privacy notice of ``version`` the first time a submission acknowledges it."""
    key = (id(connection.engine), version)
    if key in _KNOWN_NOTICES:
        return
    insert_if_missing(connection, PrivacyNotice.__table__, "version",
                      {"version": version, "notice": notice,
                       "created_at": dt.datetime.now(dt.UTC)})
    event.listen(connection, "commit", lambda _c: _KNOWN_NOTICES.add(key), once=True)


def store(writer: GroupWriter, fernet: Fernet | None, p: Pending, office_email: str,
          site_base: str = "", cleanup: Callable[[Connection], None] | None = None) -> Stored:
    """Store ``p`` and its e-mails atomically; return the (new or already stored) record.

    ``cleanup`` runs in the same transaction (the confirm step removes the draft there).  The
    work is handed to the process's group-commit writer, so concurrent submissions share one
    durable commit; this returns only after the commit that holds the record.  A second
    submission with the same idempotency key breaks the key's unique constraint and gets the
    record the first one stored.
    """
    now = dt.datetime.now(ROME)
    created = now.astimezone(dt.UTC)
    # everything that does not need the protocol number is prepared outside the transaction:
    # the write lock is held only for the inserts
    fields = dict(kind=p.kind, year=now.year, idempotency_key=p.key, lang=p.lang,
                  service=p.service.slug if p.service else None, comune=p.comune,
                  status="ricevuta", charter_hash=p.charter.content_hash,
                  form_version=p.form_version, data=p.answers,
                  sensitive=encrypt(fernet, p.sensitive), content_sha256=content_digest(p, fernet),
                  points=p.points, band=p.band, created_at=created, updated_at=created,
                  identified_by=p.identified_by,
                  privacy_notice=p.notice_version,
                  deadlines=deadlines(p.charter, p.kind, now.date(), p.service, p.comune))
    attachments = [dict(document=u.document, filename=display_name(u.filename)[:255],
                        content_type=u.content_type, size=len(u.content), sha256=u.sha256,
                        content=u.content) for u in p.uploads]

    def job(connection: Connection) -> Stored:
        _ensure_definition(connection, p.form_version, p.definition)
        if p.notice_version is not None:
            _ensure_notice(connection, p.notice_version, p.notice or {})
        number = next_protocol(connection, now.year)
        protocol = format_protocol(now.year, number)
        new_id = connection.execute(_NEW_SUBMISSION,
                                    {"seq": number, "protocol": protocol, **fields}).scalar_one()
        record = Stored(new_id, protocol, created)
        # the back-office's case row and search terms, in this same transaction (issue 16)
        from form_backend.cases import index_submission

        index_submission(connection, new_id, protocol, p.kind, p.definition, p.answers,
                         fields["deadlines"])
        if attachments:
            connection.execute(_NEW_ATTACHMENTS,
                               [dict(submission_id=new_id, **a) for a in attachments])
        connection.execute(_NEW_EVENT, {"submission_id": new_id, "at": created,
                                        "user": "sistema", "action": "ricevuta",
                                        "to_status": "ricevuta"})
        subject = _subject(p, record)
        connection.execute(_NEW_MAILS, [
            dict(submission_id=new_id, recipient=recipient, subject=own[0] if own else subject,
                 body=body, created_at=created, next_attempt_at=created, attempts=0)
            for recipient, body, *own in _emails(p, record, office_email, site_base)])
        if cleanup is not None:
            cleanup(connection)
        return record

    try:
        record = writer.run(job)
    except IntegrityError:
        # the same key was stored before (double click, back button, a retry after a timeout)
        with writer.engine.connect() as connection:
            existing = _stored(connection, p.key)
        if existing is None:
            raise
        return existing
    log.info("submission stored", extra={"protocol": record.protocol, "kind": p.kind,
                                          "service": fields["service"]})
    return record


def _subject(p: Pending, record: Stored) -> str:
    what = "Domanda d'accesso" if p.kind == "domanda" else "Reclamo"
    service = f" — {p.service.code} {p.service.title.it}" if p.service else ""
    return f"[{record.protocol}] {what}{service}"


def _emails(p: Pending, record: Stored, office_email: str,
            site_base: str) -> list[tuple]:
    """The office's notice (recipient, body) and the citizen's confirmations (recipient,
    body, subject).

    Neither carries personal data (no name, codice fiscale, document, birth date, address,
    answers): e-mail crosses servers the district does not run.  The office's notice links to
    the record's page, where an operator reads it after logging in."""
    received = f"Ricevuta il: {record.created_at.astimezone(ROME):%d/%m/%Y %H:%M}"
    service = [f"Servizio: {p.service.code} {p.service.title.it}"] if p.service else []
    what = "Nuova domanda d'accesso" if p.kind == "domanda" else "Nuovo reclamo"
    link = f"{site_base.rstrip('/')}/ufficio/{record.id}"
    lines = [f"{what}.", f"Protocollo: {record.protocol}", received, *service]
    if p.uploads:
        lines.append(f"Allegati: {len(p.uploads)}")
    if p.sensitive:
        lines.append("Dati sanitari o di disabilità: presenti, consultabili solo in ufficio.")
    lines += ["", f"Apri la pratica: {link}",
              "I dati della persona si leggono solo lì, dopo l'accesso all'area riservata."]
    out = [(valid_address(office_email) or office_email, "\n".join(lines) + "\n")]
    return out + _citizen_emails(p, record, site_base)


def _citizen_emails(p: Pending, record: Stored, site_base: str) -> list[tuple[str, str, str]]:
    """The confirmation to every address the citizen gave, in the language they used: protocol
    number, the charter's deadlines, the link to the status page (form_backend.citizen_mail
    says what it never carries)."""
    from form_backend import citizen_mail

    to = citizen_mail.recipients(p.definition, p.answers, p.copy_to)
    if p.copy_to and not any(a.lower() == (valid_address(p.copy_to) or "").lower() for a in to):
        # the form refuses it; never hand a mail server two addresses
        log.warning("copy not sent: the address is not one valid address",
                    extra={"protocol": record.protocol})
    if not to:
        return []
    subject, body = citizen_mail.confirmation(
        p.charter, p.lang, p.kind, record.protocol, record.created_at,
        deadlines(p.charter, p.kind, record.created_at.astimezone(ROME).date(), p.service,
                  p.comune),
        p.service, citizen_mail.status_link(site_base, p.key, p.lang))
    return [(address, body, subject) for address in to]


def as_message(row: Outbox, sender: str) -> EmailMessage:
    """The outbox row as an e-mail (EmailMessage refuses header injection)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["X-Carta-Outbox-Id"] = str(row.id)
    message.set_content(row.body)
    return message
