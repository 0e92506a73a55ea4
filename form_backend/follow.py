"""After the receipt: follow the application, answer the office, save a form to finish later,
say how easy it was.

- ``/ricevuta/<key>`` (form_backend.receipt) shows the status and its history; the key is a
  capability: looked up by an 8-character prefix and compared in constant time
  (:func:`find_by_capability`), never logged (logs carry route patterns only), rate-limited.
  The page shows the statuses, their dates and the office's messages to the citizen, never
  the answers or the office's internal notes.
- ``POST /ricevuta/<key>/risposta``: while the office asks for documents
  (``integrazione-richiesta``) the citizen writes and uploads (each file checked by
  :func:`form_backend.uploads.check_upload`); stored on the submission as an audit event
  (user ``cittadino``, action ``risposta-cittadino``, the text as its note) and attachments
  named ``integrazione-<event id>``, so the office's detail page lists both.
- :func:`notify_status_change`: the back-office calls it in the transaction of a status
  change; it keeps the message for the citizen and writes the e-mail to the outbox.
- Save and return: ``GET|POST <check page>/salva`` e-mails a link ``/riprendi/<token>``
  valid 30 days (the token's SHA-256 is stored, and the e-mail's body is blanked once sent);
  opening it and pressing "continue" binds the draft to that browser.
- ``POST /ricevuta/<key>/facilita``: the ease-of-use answer, stored with the form id and the
  month only; :func:`ease_counts` aggregates it for the office.
- Once the case is closed the status page and the closing e-mail offer the satisfaction
  questionnaire (:mod:`form_backend.satisfaction`, its routes registered on this blueprint).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from collections import Counter as Tally

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
)
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from form_backend import citizen_mail, drafts, flow, satisfaction
from form_backend.db import Attachment, AuditEvent, Draft, FormDefinition, Submission, utcnow
from form_backend.extensions import limiter, submit_limit
from form_backend.follow_db import (
    OUTBOX,
    CitizenMessage,
    DraftSave,
    EaseGiven,
    EaseRating,
)
from form_backend.forms import label_of
from form_backend.mailaddr import valid_address
from form_backend.store import ROME
from form_backend.uploads import UploadRefused, check_upload

log = logging.getLogger("carta.follow")
bp = Blueprint("follow", __name__)
bp.register_blueprint(satisfaction.bp)  # /ricevuta/<key>/soddisfazione

SAVED_DAYS = 30
MAX_SAVES = 5  # save-and-return e-mails per draft
REPLY_ACTION = "risposta-cittadino"
CITIZEN = "cittadino"
ASKS = "integrazione-richiesta"
MAX_REPLY = 4000
MAX_COMMENT = 1000
_KEY = re.compile(r"[0-9a-f]{16,64}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")
# the interface strings the e-mail templates (templates/email/*.txt) ask for, besides the
# receipt's: listed so the strings' tests see them used (a test keeps this list exact)
EMAIL_KEYS = ("email_received_intro_domanda", "email_received_intro_reclamo", "email_promises",
              "email_follow", "email_link_private", "email_follow_receipt", "email_no_reply",
              "email_status_subject", "email_status_intro", "email_status_asks",
              "email_status_message", "email_saved_subject", "email_saved_intro",
              "email_saved_until", "email_saved_ignore", "follow_status", "email_survey")


# ---------------------------------------------------------------------------------------------
# the capability


def find_by_capability(session: Session, key: str) -> Submission | None:
    """The submission whose receipt key is ``key``: candidates found by the key's first 8
    characters (an index range), each compared in full in constant time, so response times
    say nothing about how much of a guess was right."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return None
    prefix = key[:8]
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    found = None
    for row in session.execute(select(Submission).where(
            Submission.idempotency_key >= prefix, Submission.idempotency_key < upper)
            .limit(16)).scalars():
        if hmac.compare_digest(row.idempotency_key.encode(), key.encode()):
            found = row
    return found


def record_or_404(key: str) -> Submission:
    """The submission of a receipt key, with its events and attachments loaded; else 404."""
    with current_app.extensions["carta_reader"]() as session:
        record = find_by_capability(session, key)
        if record is None:
            abort(404)
        _ = (record.events, record.attachments)
        return record


# ---------------------------------------------------------------------------------------------
# the status page's data


def timeline(record: Submission, lang: str) -> list[dict]:
    """What the citizen may see of the case's history, oldest first: each status reached,
    the office's messages to them, their own replies (without the text: it is theirs)."""
    charter = flow.charter()
    with current_app.extensions["carta_reader"]() as session:
        messages = session.execute(select(CitizenMessage).where(
            CitizenMessage.submission_id == record.id)).scalars().all()
    files = Tally(a.document for a in record.attachments)

    def utc(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    items, reached = [], []
    for e in record.events:
        if e.action in ("ricevuta", "stato") and e.to_status:
            item = {"what": citizen_mail.status_name(charter, lang, e.to_status), "messages": []}
            reached.append((e.to_status, utc(e.at), item))
            items.append((utc(e.at), 0, item))
        elif e.action == REPLY_ACTION:
            items.append((utc(e.at), 2, {"what": charter.t(lang, "follow_event_reply",
                                                           n=files.get(f"integrazione-{e.id}", 0)),
                                         "messages": []}))
    for m in messages:  # with the status change it came with (written in its transaction)
        same = [(abs((at - utc(m.at)).total_seconds()), item) for status, at, item in reached
                if status == m.status]
        if same:
            min(same, key=lambda x: x[0])[1]["messages"].append(m.body)
        else:
            items.append((utc(m.at), 1, {"what": charter.t(lang, "follow_event_message"),
                                         "messages": [m.body]}))
    items.sort(key=lambda x: (x[0], x[1]))
    return [{**item, "at": citizen_mail.moment(at, lang)} for at, _, item in items]


def ease_given(record: Submission) -> bool:
    """Whether the citizen of ``record`` has answered the ease-of-use question."""
    with current_app.extensions["carta_reader"]() as session:
        return session.get(EaseGiven, record.id) is not None


def status_context(record: Submission, key: str) -> dict:
    """What receipt.html needs to show the status, the history and the two forms."""
    cfg = current_app.config
    return {"status": citizen_mail.status_name(flow.charter(), g.lang, record.status),
            "history": timeline(record, g.lang), "asks": record.status == ASKS,
            "ease_done": ease_given(record), "key": key,
            "reply_limits": {"n": int(cfg["UPLOAD_MAX_FILES"]),
                             "mb": int(cfg["UPLOAD_MAX_BYTES"]) // (1024 * 1024)},
            "scores": [(n, flow.charter().t(g.lang, f"follow_ease_score_{n}"))
                       for n in range(1, 6)],
            **satisfaction.context(record, key)}


def _receipt_page(record: Submission, key: str, status: int = 200, **extra):
    from form_backend.receipt import context

    return render_template("receipt.html", **context(record), **status_context(record, key),
                           **extra), status


# ---------------------------------------------------------------------------------------------
# the citizen's reply


@bp.post("/ricevuta/<key>/risposta")
@limiter.limit(submit_limit)
def reply(key: str):
    """The citizen's reply to a request for documents: text and files, on the submission."""
    record = record_or_404(key)
    if record.status != ASKS:
        return _receipt_page(record, key, 409, reply_error=flow.charter().t(
            g.lang, "follow_reply_closed"))
    text = _clean_text(request.form.get("testo", ""), MAX_REPLY)
    uploads = [f for f in request.files.getlist("documenti") if f and f.filename]
    label = flow.charter().t(g.lang, "follow_reply_files")
    cfg = current_app.config
    error = None
    if not text and not uploads:
        error = flow.charter().t(g.lang, "follow_reply_empty")
    elif len(uploads) > int(cfg["UPLOAD_MAX_FILES"]):
        error = flow.charter().t(g.lang, "err_file_count", n=int(cfg["UPLOAD_MAX_FILES"]))
    clean = []
    for f in uploads if error is None else []:
        data = f.read(int(cfg["UPLOAD_MAX_BYTES"]) + 1)
        if len(data) > int(cfg["UPLOAD_MAX_BYTES"]):
            error = flow.charter().t(g.lang, "err_file_size", label=label,
                                     mb=int(cfg["UPLOAD_MAX_BYTES"]) // (1024 * 1024))
            break
        try:
            clean.append(check_upload(f.filename, data,
                                      clamd_socket=cfg.get("CLAMD_SOCKET") or None))
        except UploadRefused as refused:
            log.info("reply upload refused", extra={"detail": refused.detail[:200]})
            error = flow.charter().t(g.lang, refused.key, label=label)
            break
    if error:
        return _receipt_page(record, key, 422, reply_error=error, reply_text=text)
    office = current_app.config.get("OFFICE_EMAIL") or current_app.config["MAIL_FROM"]
    base = flow.public_url()
    with current_app.extensions["carta_sessions"].begin() as session:
        now = utcnow()
        # the office may have moved on since the page was shown: checked again, in the
        # transaction that writes (a row lock on PostgreSQL, the write lock on SQLite)
        still_asks = session.execute(select(Submission.status).where(
            Submission.id == record.id).with_for_update()).scalar_one() == ASKS
        if still_asks:
            event = AuditEvent(submission_id=record.id, at=now, user=CITIZEN,
                               action=REPLY_ACTION, note=text or None)
            session.add(event)
            session.flush()
            for c in clean:
                session.add(Attachment(
                    submission_id=record.id, document=f"integrazione-{event.id}",
                    filename=c.name[:255], content_type=c.mimetype, size=len(c.data),
                    sha256=hashlib.sha256(c.data).hexdigest(), content=c.data))
            session.execute(insert(OUTBOX).values(
                submission_id=record.id, recipient=valid_address(office) or office,
                subject=f"[{record.protocol}] Risposta del cittadino",
                body=(f"Il cittadino ha risposto alla richiesta di integrazione.\n"
                      f"Protocollo: {record.protocol}\nDocumenti allegati: {len(clean)}\n\n"
                      f"Apri la pratica: {base.rstrip('/')}/ufficio/{record.id}\n"),
                created_at=now, attempts=0, next_attempt_at=now))
    if not still_asks:
        return _receipt_page(record, key, 409, reply_error=flow.charter().t(
            g.lang, "follow_reply_closed"))
    log.info("citizen reply stored", extra={"protocol": record.protocol, "files": len(clean)})
    return redirect(f"/ricevuta/{key}?lang={g.lang}&inviata=1#risposta", 303)


def _clean_text(value: str, limit: int) -> str:
    """Text as typed, without control characters (line breaks kept), at most ``limit``."""
    value = "".join(ch for ch in value if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    return value.strip()[:limit]


# ---------------------------------------------------------------------------------------------
# status changes


def notify_status_change(connection_or_session: Connection | Session, submission,
                         old_status: str | None, new_status: str,
                         message: str | None, base_url: str | None = None) -> int:
    """Inside the status change's own transaction: keep ``message`` (the office's words to
    the citizen, shown on the status page) and write the e-mail telling the citizen, in the
    language they used, to every address they gave; return how many e-mails were written.

    ``submission`` is the ORM record (or any object with ``id``, ``kind``, ``lang``,
    ``protocol``, ``idempotency_key``, ``form_version`` and ``data``).  The e-mail says the
    new status and that a message is waiting, not the message itself (free text the office
    wrote, which may name a condition): the citizen reads it on the status page."""
    if old_status == new_status:
        return 0
    connection = (connection_or_session.connection()
                  if isinstance(connection_or_session, Session) else connection_or_session)
    now = utcnow()
    message = _clean_text(message or "", MAX_REPLY) or None
    if message:
        connection.execute(insert(CitizenMessage.__table__).values(
            submission_id=submission.id, at=now, status=new_status, body=message))
    definition = connection.execute(select(FormDefinition.definition).where(
        FormDefinition.version == submission.form_version)).scalar() or {}
    to = citizen_mail.recipients(definition, submission.data or {})
    if not to:
        return 0
    if base_url is None:
        base_url = flow.public_url() if has_request_context() else (
            current_app.config.get("PUBLIC_URL") or "")
    charter = current_app.extensions["carta"]
    lang = submission.lang if submission.lang in charter.district.languages else "it"
    survey = ""
    if new_status == satisfaction.CLOSED and charter.satisfaction and \
            charter.satisfaction.questions_for(submission.kind):
        survey = satisfaction.link(base_url, submission.idempotency_key, lang)
    subject, body = citizen_mail.status_changed(
        charter, lang, submission.kind, submission.protocol, new_status, bool(message),
        citizen_mail.status_link(base_url, submission.idempotency_key, lang), survey)
    connection.execute(insert(OUTBOX), [
        dict(submission_id=submission.id, recipient=address, subject=subject, body=body,
             created_at=now, attempts=0, next_attempt_at=now) for address in to])
    return len(to)


# ---------------------------------------------------------------------------------------------
# ease of use


@bp.post("/ricevuta/<key>/facilita")
@limiter.limit(submit_limit)
def ease(key: str):
    """The ease-of-use answer: once per receipt, kept with the form id and month only."""
    record = record_or_404(key)
    score = request.form.get("punteggio", "")
    if score not in {"1", "2", "3", "4", "5"}:
        return _receipt_page(record, key, 422, ease_error=flow.charter().t(
            g.lang, "follow_ease_required"))
    comment = _clean_text(request.form.get("commento", ""), MAX_COMMENT) or None
    month = dt.datetime.now(ROME).strftime("%Y-%m")
    with current_app.extensions["carta_sessions"].begin() as session:
        if session.get(EaseGiven, record.id) is None:
            session.add(EaseGiven(submission_id=record.id))
            session.add(EaseRating(id=secrets.token_hex(16), form=record.service or record.kind,
                                   month=month, score=int(score), comment=comment))
    return redirect(f"/ricevuta/{key}?lang={g.lang}#facilita", 303)


def ease_counts(session: Session, since_month: str | None = None) -> dict[str, dict]:
    """Per form id (the scheda's slug for a domanda, ``reclamo``): answers per score 1–5,
    their number, the mean, and the comments, newest month first, optionally from
    ``since_month`` (``2026-01``) on."""
    q = select(EaseRating.form, EaseRating.score, func.count()).group_by(
        EaseRating.form, EaseRating.score)
    c = select(EaseRating.form, EaseRating.month, EaseRating.comment).where(
        EaseRating.comment.is_not(None)).order_by(EaseRating.month.desc())
    if since_month:
        q, c = q.where(EaseRating.month >= since_month), c.where(EaseRating.month >= since_month)
    out: dict[str, dict] = {}
    for form, score, n in session.execute(q):
        row = out.setdefault(form, {"scores": dict.fromkeys(range(1, 6), 0), "answers": 0,
                                    "mean": None, "comments": []})
        row["scores"][score] = n
        row["answers"] += n
    for row in out.values():
        total = sum(s * n for s, n in row["scores"].items())
        row["mean"] = round(total / row["answers"], 2) if row["answers"] else None
    for form, month, comment in session.execute(c):
        if form in out:
            out[form]["comments"].append((month, comment))
    return out


# ---------------------------------------------------------------------------------------------
# save and return


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _form_of(kind: str, slug: str | None):
    charter = flow.charter()
    service = charter.service_by_slug.get(slug) if slug else None
    if kind == "domanda" and service is None:
        abort(404)
    return charter.form_by_id[kind], service


@bp.route("/domanda/<slug>/controlla/<draft_id>/salva", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def save_domanda(slug: str, draft_id: str):
    """Save a domanda's draft and e-mail the link to continue."""
    return _save("domanda", slug, draft_id)


@bp.route("/reclamo/controlla/<draft_id>/salva", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def save_reclamo(draft_id: str):
    """Save a reclamo's draft and e-mail the link to continue."""
    return _save("reclamo", None, draft_id)


def _save(kind: str, slug: str | None, draft_id: str):
    definition, service = _form_of(kind, slug)
    loaded = drafts.load(draft_id, kind, slug)  # only the browser that made it
    if loaded is None:
        abort(404)
    if isinstance(loaded, drafts.Expired):
        return flow.expired_page(service)
    title = label_of(definition.title, g.lang)
    back = f"{flow.check_path(service, draft_id)}?lang={g.lang}"
    error = address = None
    if request.method == "POST":
        address = (request.form.get("email") or "")[:254]
        to = valid_address(address)
        if to is None:
            error = flow.charter().t(g.lang, "err_email")
        elif _saves_sent(loaded.row.id) >= MAX_SAVES:  # not a way to mail anybody at will
            abort(429)
        else:
            until = _save_draft(loaded.row, to, title)
            return render_template("save_later.html", done=True, back=back, title=flow.charter().t(
                g.lang, "follow_save_done_title"), until=citizen_mail.moment(until, g.lang))
    return render_template("save_later.html", done=False, back=back, error=error,
                           address=address, days=SAVED_DAYS, form_title=title,
                           title=flow.charter().t(g.lang, "follow_save_title")), \
        422 if error else 200


def _saves_sent(draft_id: str) -> int:
    with current_app.extensions["carta_reader_engine"].connect() as connection:
        return connection.execute(select(func.count()).select_from(OUTBOX).where(
            OUTBOX.c.draft_id == draft_id)).scalar()


def _save_draft(draft, to: str, title: str) -> dt.datetime:
    """Token (stored hashed), 30 more days for the draft, the e-mail: one transaction."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    until = now + dt.timedelta(days=SAVED_DAYS)
    base = flow.public_url()
    link = f"{base.rstrip('/')}/riprendi/{token}?lang={g.lang}" if base else f"/riprendi/{token}"
    subject, body = citizen_mail.saved(flow.charter(), g.lang, title, link, until)
    with current_app.extensions["carta_sessions"].begin() as session:
        session.execute(delete(DraftSave).where(DraftSave.draft_id == draft.id))
        session.add(DraftSave(draft_id=draft.id, token_hash=_token_hash(token), saved_at=now,
                              expires_at=until))
        # a draft lives DRAFT_TTL_HOURS from created_at (form_backend.drafts): a saved one is
        # given 30 days from now by moving that start, so load and sweep need no change
        session.execute(update(Draft).where(Draft.id == draft.id).values(
            created_at=until - drafts.lifetime()))
        session.execute(insert(OUTBOX).values(
            submission_id=None, draft_id=draft.id, recipient=to, subject=subject, body=body,
            created_at=now, attempts=0, next_attempt_at=now))
    log.info("draft saved for later", extra={"kind": draft.kind, "service": draft.service})
    return until


def _saved_draft(token: str):
    """(DraftSave, Draft) of a live token, else None."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    with current_app.extensions["carta_reader"]() as session:
        saved = session.execute(select(DraftSave).where(
            DraftSave.token_hash == _token_hash(token))).scalar()
        if saved is None:
            return None
        expires = saved.expires_at if saved.expires_at.tzinfo else saved.expires_at.replace(
            tzinfo=dt.UTC)
        if expires < utcnow():
            return None
        draft = session.get(Draft, saved.draft_id)
        return (saved, draft) if draft is not None else None


@bp.route("/riprendi/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def resume(token: str):
    """GET: a page with one button (mail scanners that open links change nothing); POST: the
    draft is bound to this browser (the one that saved it no longer opens it) and opens on
    its check page."""
    found = _saved_draft(token)
    if found is None:
        return render_template("error.html", key="err_resume", status=404,
                               title=flow.charter().t(g.lang, "err_resume_title")), 404
    _saved, draft = found
    service = flow.charter().service_by_slug.get(draft.service) if draft.service else None
    definition = flow.charter().form_by_id.get(draft.kind)
    if definition is None:
        abort(404)
    if request.method == "GET":
        return render_template("resume.html", title=label_of(definition.title, g.lang),
                               form_title=label_of(definition.title, g.lang))
    browser = secrets.token_urlsafe(32)
    with current_app.extensions["carta_sessions"].begin() as session:
        row = session.get(Draft, draft.id)
        if row is None:
            abort(404)
        row.data = {**row.data, drafts._BOUND_TO: drafts._digest(browser)}
    path = flow.check_path(service, draft.id)
    response = redirect(f"{path}?lang={g.lang}", 303)
    drafts.give_cookie(response, path, browser)
    log.info("saved draft resumed", extra={"kind": draft.kind, "service": draft.service})
    return response
