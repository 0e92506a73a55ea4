"""Drafts: the answers waiting between the fill-in step and the send, and who may see them.

A draft belongs to the browser that made it.  Besides the id in its check page's URL, that
browser alone holds a random secret (256 bits) in an HttpOnly, SameSite=Strict cookie scoped
to that one URL (``__Secure-`` and Secure behind HTTPS); the database keeps only the secret's
SHA-256, beside the public answers.  Without the cookie the check page is a 404, whoever has
the URL, and nothing is decrypted.

A draft lives ``DRAFT_TTL_HOURS`` (24 by default).  After that its page says to start again
(410) and the draft goes, attachments and encrypted answers with it; drafts nobody comes back
to are swept once a minute by whichever process makes a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy import update as sql_update

from form_backend.db import Attachment, Draft, utcnow
from form_backend.store import decrypt, encrypt

_BOUND_TO = "_browser"  # in a draft's data: SHA-256 of the secret its browser holds
_SEEN = "_pages"  # in a draft's data: the pages of the form the citizen has been through
_DRAFTS, _FILES = Draft.__table__, Attachment.__table__
_NEW = insert(_DRAFTS)
_NEW_FILES = insert(_FILES)
_ONE = select(_DRAFTS).where(_DRAFTS.c.id == bindparam("id"))
_ITS_FILES = select(_FILES).where(_FILES.c.draft_id == bindparam("id")).order_by(_FILES.c.id)
_DROP = delete(_DRAFTS).where(_DRAFTS.c.id == bindparam("id"))  # attachments: ON DELETE CASCADE
_SWEEP = delete(_DRAFTS).where(_DRAFTS.c.created_at < bindparam("before"))


def cookie_name() -> str:
    """``__Secure-carta_draft`` behind HTTPS (the browser then accepts it only Secure),
    ``carta_draft`` on plain HTTP (``carta serve`` on 127.0.0.1)."""
    return "__Secure-carta_draft" if _secure() else "carta_draft"


def _secure() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def lifetime() -> dt.timedelta:
    """How long a draft waits for its send (``DRAFT_TTL_HOURS``)."""
    return dt.timedelta(hours=float(current_app.config["DRAFT_TTL_HOURS"]))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Loaded:
    """A draft this browser may see: the row, its answers decrypted, its attachments."""

    row: Any
    answers: dict[str, Any]
    files: list
    seen: list[str] = field(default_factory=list)


class Expired:
    """A draft older than ``DRAFT_TTL_HOURS`` (deleted when found)."""


def _file_rows(draft_id: str, uploads) -> list[dict]:
    return [{"draft_id": draft_id, "document": document, "filename": name,
             "content_type": content_type, "size": len(content),
             "sha256": hashlib.sha256(content).hexdigest(), "content": content}
            for document, name, content_type, content in uploads]


def save(kind: str, service_slug: str | None, lang: str, public: dict[str, Any],
         sensitive: dict[str, Any], uploads: list[tuple[str, str, str, bytes]],
         seen: list[str] | None = None) -> tuple[str, str]:
    """Store a draft; return its id and the secret only its browser will hold."""
    browser = secrets.token_urlsafe(32)
    data = {**public, _BOUND_TO: _digest(browser)}
    if seen is not None:
        data[_SEEN] = list(seen)
    draft = {"id": secrets.token_hex(16), "kind": kind, "service": service_slug, "lang": lang,
             "created_at": utcnow(), "data": data,
             "sensitive": encrypt(current_app.extensions["carta_fernet"], sensitive)}
    files = _file_rows(draft["id"], uploads)
    sweep_before = _sweep_due()

    def write(connection) -> None:  # the draft row first: attachments point to it
        if sweep_before is not None:  # expired drafts go, their attachments with them
            connection.execute(_SWEEP, {"before": sweep_before})
        connection.execute(_NEW, draft)
        if files:
            connection.execute(_NEW_FILES, files)

    current_app.extensions["carta_draft_writer"].run(write)
    return draft["id"], browser


def update(loaded: Loaded, lang: str, public: dict[str, Any], sensitive: dict[str, Any],
           seen: list[str], uploads=(), replace: set[str] = frozenset(),
           remove: set[int] = frozenset()) -> None:
    """Save a page into a draft this browser holds: its answers (all of them, as given),
    the pages seen, new uploads (replacing the files of the documents in ``replace``), and
    without the attachments whose ids are in ``remove``.  The browser binding stays."""
    row = loaded.row
    draft_id = row.id
    # other bookkeeping of the draft (its identification, form_backend.oidc) stays as it is
    kept = {k: v for k, v in row.data.items() if k.startswith("_") and k not in (_BOUND_TO, _SEEN)}
    data = {**public, **kept, _BOUND_TO: row.data[_BOUND_TO], _SEEN: list(seen)}
    values = {"data": data, "lang": lang,
              "sensitive": encrypt(current_app.extensions["carta_fernet"], sensitive)}
    files = _file_rows(draft_id, uploads)

    def write(connection) -> None:
        connection.execute(sql_update(_DRAFTS).where(_DRAFTS.c.id == draft_id).values(**values))
        if replace:
            connection.execute(delete(_FILES).where(_FILES.c.draft_id == draft_id,
                                                    _FILES.c.document.in_(sorted(replace))))
        if remove:
            connection.execute(delete(_FILES).where(_FILES.c.draft_id == draft_id,
                                                    _FILES.c.id.in_(sorted(remove))))
        if files:
            connection.execute(_NEW_FILES, files)

    current_app.extensions["carta_draft_writer"].run(write)


def _sweep_due() -> dt.datetime | None:
    """Once a minute per process, the time before which drafts have expired (else None)."""
    now = time.monotonic()
    last = current_app.extensions.get("carta_draft_sweep")
    if last is not None and now - last < 60:
        return None
    current_app.extensions["carta_draft_sweep"] = now
    return utcnow() - lifetime()


def give_cookie(response: Response, path: str, secret: str) -> None:
    """Hand the draft's secret to the browser, for the check page at ``path`` only."""
    response.set_cookie(cookie_name(), secret, max_age=int(lifetime().total_seconds()),
                        path=path, secure=_secure(), httponly=True, samesite="Strict")


def take_cookie(response: Response, path: str) -> None:
    """The draft was sent: the browser forgets its secret."""
    response.delete_cookie(cookie_name(), path=path, secure=_secure(), httponly=True,
                           samesite="Strict")


def load(draft_id: str, kind: str, service_slug: str | None) -> Loaded | Expired | None:
    """The draft of this URL for this browser; :class:`Expired` when it is too old (it is
    deleted then); None when there is none, when this browser does not hold its cookie, or
    when it was made for another form or scheda."""
    if not draft_id.isascii() or not draft_id.isalnum() or len(draft_id) > 64:
        return None
    with current_app.extensions["carta_reader_engine"].connect() as connection:
        row = connection.execute(_ONE, {"id": draft_id}).first()
        if row is None:
            return None
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(
            tzinfo=dt.UTC)
        if created < utcnow() - lifetime():
            expired = True
        else:
            expired = False
            bound = row.data.get(_BOUND_TO) if isinstance(row.data, dict) else None
            offered = request.cookies.getlist(cookie_name())
            # every cookie offered is compared, in constant time (a planted one cannot
            # shadow the right one)
            if not isinstance(bound, str) or not any(
                    [hmac.compare_digest(bound, _digest(v)) for v in offered]):
                return None
            if row.kind != kind or row.service != service_slug:
                return None
            files = connection.execute(_ITS_FILES, {"id": draft_id}).all()
    if expired:
        drop(draft_id)
        return Expired()
    public = {k: v for k, v in row.data.items() if not k.startswith("_")}
    seen = row.data.get(_SEEN)
    return Loaded(row, {**public, **decrypt(current_app.extensions["carta_fernet"],
                                            row.sensitive)}, files,
                  [p for p in seen if isinstance(p, str)] if isinstance(seen, list) else [])


def drop(draft_id: str, connection=None) -> None:
    """Delete a draft with its attachments (in ``connection``'s transaction when given)."""
    if connection is not None:
        connection.execute(_DROP, {"id": draft_id})
    else:
        current_app.extensions["carta_draft_writer"].run(
            lambda c: c.execute(_DROP, {"id": draft_id}))
