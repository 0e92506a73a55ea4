"""The three steps both forms share: fill in → check your answers → send (then the receipt).

Between the fill-in and the send the answers wait in a *draft*.  A draft belongs to the browser
that made it: besides the id in the check page's URL, that browser alone holds a random secret,
in an HttpOnly, SameSite=Strict cookie scoped to that one URL (the database keeps only its
SHA-256).  Without it the check page is a 404, whoever has the URL.  A draft lives
``DRAFT_TTL_HOURS`` (24 by default): after that its page says to start again, and it is deleted
with its attachments.  The send step checks the draft again against the form and scheda of its
URL and the charter as it is now, exactly as the fill-in step does, before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request
from sqlalchemy import bindparam, delete, insert, select

from carta.model import Charter
from carta.rules import FieldType, Form
from carta.service import Service
from form_backend.db import Attachment, Draft, utcnow
from form_backend.forms import applicable_parameters, build_form, label_of, points
from form_backend.store import Pending, Upload, decrypt, encrypt, store

DRAFT_COOKIE = "carta_draft"
_BOUND_TO = "_browser"  # in a draft's data: SHA-256 of the secret its browser holds


def charter() -> Charter:
    """The charter the app serves."""
    return current_app.extensions["carta"]


_FORM_CLASSES: dict[tuple, type] = {}


def form_class(definition: Form, service: Service | None):
    """The WTForms class of ``definition`` in the request's language (built once per
    charter, form, language and scheda: the charter does not change while the app runs)."""
    cfg = current_app.config
    limits = (int(cfg["UPLOAD_MAX_BYTES"]), int(cfg["UPLOAD_MAX_FILES"]))
    key = (charter().content_hash, definition.id, g.lang, service.slug if service else None,
           limits)
    cls = _FORM_CLASSES.get(key)
    if cls is None:
        cls = _FORM_CLASSES[key] = build_form(charter(), definition, g.lang, service, limits)
    return cls


_DEFINITIONS: dict[int, tuple[Form, dict, str]] = {}


def definition_record(definition: Form) -> tuple[dict, str]:
    """The definition as stored with each record, and its version: code, revision, digest.

    Computed once per loaded definition (the charter is immutable while the app runs)."""
    cached = _DEFINITIONS.get(id(definition))
    if cached is None or cached[0] is not definition:
        dumped = definition.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(dumped, sort_keys=True).encode()).hexdigest()[:12]
        cached = (definition, dumped,
                  f"{definition.code} rev {definition.revision or '-'} {digest}")
        _DEFINITIONS[id(definition)] = cached
    return cached[1], cached[2]


def sensitive_names(definition: Form, service: Service | None) -> set[str]:
    """Answers that are special-category data (health, disability)."""
    names = {f.id for f in definition.fields() if f.sensitive}
    for p in applicable_parameters(charter(), service):
        if p.sensitive:
            names |= {f"par-{p.id}", f"par-{p.id}-minori"}
    return names


def show_form(definition: Form, service: Service | None, form, status: int = 200,
              rechecked: bool = False):
    """The form page, with the error summary when there are errors.  ``rechecked``: the
    answers come from a draft that no longer passes (the charter changed since): the page
    says so, and sends the corrected answers to the fill-in step."""
    errors = [(name, field.label.text, message) for name, field in form._fields.items()
              for message in field.errors if name != "csrf_token"]
    sections = [(s, [x for x in _section_fields(s, form, service)]) for s in definition.sections]
    return render_template("form.html", definition=definition, service=service, form=form,
                           errors=errors, sections=sections, rechecked=rechecked,
                           action=f"{form_path(service)}?lang={g.lang}" if rechecked else None,
                           title=label_of(definition.title, g.lang)), status


def _section_fields(section, form, service):
    for f in section.fields:
        if f.type is FieldType.access_parameters:
            yield from (form[n] for n in form._order if n.startswith("par-"))
        elif f.type is FieldType.documents:
            yield from (form[n] for n in form._order if n.startswith("doc-"))
        elif f.id in form._fields:
            yield form[f.id]


def form_path(service: Service | None) -> str:
    """The fill-in page of a domanda for ``service``, or of the reclamo."""
    return f"/domanda/{service.slug}" if service else "/reclamo"


def check_path(service: Service | None, draft_id: str) -> str:
    """The check-your-answers page of a draft (also the path its cookie is scoped to)."""
    return f"{form_path(service)}/controlla/{draft_id}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config["DRAFT_TTL_HOURS"]))


def receive(definition: Form, service: Service | None, form, kind: str):
    """Valid answers become a draft bound to this browser; the citizen is sent to check them."""
    answers = form.answers()
    secret_names = sensitive_names(definition, service)
    secret = {k: v for k, v in answers.items() if k in secret_names}
    public = {k: v for k, v in answers.items() if k not in secret_names}
    browser = secrets.token_urlsafe(32)
    draft = {"id": secrets.token_hex(16), "kind": kind,
             "service": service.slug if service else None, "lang": g.lang,
             "created_at": utcnow(), "data": {**public, _BOUND_TO: _digest(browser)},
             "sensitive": encrypt(current_app.extensions["carta_fernet"], secret)}
    files = [{"draft_id": draft["id"], "document": document, "filename": name,
              "content_type": content_type, "size": len(content),
              "sha256": hashlib.sha256(content).hexdigest(), "content": content}
             for document, name, content_type, content in form.uploads()]
    sweep_before = _sweep_due()

    def write(connection) -> None:  # the draft row first: attachments point to it
        if sweep_before is not None:  # expired drafts go, their attachments with them
            connection.execute(_SWEEP, {"before": sweep_before})
        connection.execute(_NEW_DRAFT, draft)
        if files:
            connection.execute(_NEW_DRAFT_FILE, files)

    current_app.extensions["carta_draft_writer"].run(write)
    path = check_path(service, draft["id"])
    response = redirect(f"{path}?lang={g.lang}", 303)
    response.set_cookie(DRAFT_COOKIE, browser, max_age=int(_ttl().total_seconds()), path=path,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                        httponly=True, samesite="Strict")
    return response


def _sweep_due() -> dt.datetime | None:
    """Once a minute per process, the time before which drafts have expired (else None)."""
    now = time.monotonic()
    last = current_app.extensions.get("carta_draft_sweep")
    if last is not None and now - last < 60:
        return None
    current_app.extensions["carta_draft_sweep"] = now
    return utcnow() - _ttl()


_NEW_DRAFT = insert(Draft.__table__)
_NEW_DRAFT_FILE = insert(Attachment.__table__)
_DRAFT = select(Draft.__table__).where(Draft.__table__.c.id == bindparam("id"))
_DRAFT_FILES = (select(Attachment.__table__)
                .where(Attachment.__table__.c.draft_id == bindparam("id"))
                .order_by(Attachment.__table__.c.id))


_DROP_DRAFT = delete(Draft.__table__).where(Draft.__table__.c.id == bindparam("id"))
_SWEEP = delete(Draft.__table__).where(Draft.__table__.c.created_at < bindparam("before"))


class Expired:
    """A draft older than ``DRAFT_TTL_HOURS`` (now deleted)."""


def load_draft(draft_id: str, kind: str, service: Service | None):
    """The draft of this URL for this browser, as (row, decrypted answers, attachments);
    :class:`Expired` when it is too old (it is deleted then); None when there is none, when
    this browser does not hold its cookie, or when it was made for another form or scheda."""
    if not draft_id.isalnum() or not draft_id.isascii() or len(draft_id) > 64:
        return None
    with current_app.extensions["carta_reader_engine"].connect() as connection:
        draft = connection.execute(_DRAFT, {"id": draft_id}).first()
        files = connection.execute(_DRAFT_FILES, {"id": draft_id}).all() if draft else []
    if draft is None:
        return None
    created = draft.created_at
    if (created if created.tzinfo else created.replace(tzinfo=dt.UTC)) < utcnow() - _ttl():
        current_app.extensions["carta_draft_writer"].run(
            lambda c: c.execute(_DROP_DRAFT, {"id": draft_id}))
        return Expired()
    bound = draft.data.get(_BOUND_TO) if isinstance(draft.data, dict) else None
    # every cookie offered is compared in constant time (a planted one cannot shadow it)
    if not isinstance(bound, str) or not any(
            [hmac.compare_digest(bound, _digest(v)) for v in request.cookies.getlist(DRAFT_COOKIE)]):
        return None
    if draft.kind != kind or draft.service != (service.slug if service else None):
        return None
    public = {k: v for k, v in draft.data.items() if k != _BOUND_TO}
    answers = {**public, **decrypt(current_app.extensions["carta_fernet"], draft.sensitive)}
    return draft, answers, files


def summary(definition: Form, service: Service | None, answers: dict, files) -> list:
    """(label, shown value) rows for the check-your-answers page and the receipt."""
    form = form_class(definition, service)(meta={"csrf": False}, formdata=None)
    rows = []
    for name in form._order:
        field = form[name]
        if name.startswith("doc-"):
            names = [a.filename for a in files if a.document == name]
            if names:
                rows.append((name, field.label.text or "", ", ".join(names)))
            continue
        if name not in answers:
            continue
        value = answers[name]
        choices = dict(getattr(field, "choices", None) or [])
        if choices:
            value = choices.get(str(value), value)
        elif value is True:
            value = charter().t(g.lang, "print_yes")
        elif (field.render_kw or {}).get("type") == "date":
            value = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        rows.append((name, field.label.text.removesuffix(" *"), value))
    return rows


def public_url() -> str:
    """The base of absolute links in e-mails: ``PUBLIC_URL``; without it the request's own
    address only on a loopback host (``carta serve`` on 127.0.0.1), else no link at all: a
    Host header is the client's to write, and must never choose where operators are sent."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/") + "/"
    host = urlsplit(request.host_url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return request.host_url if loopback else ""


def recheck(definition: Form, service: Service | None, answers: dict, files):
    """The draft's answers validated again by the form of this URL against the charter as it
    is now: the form (with its errors when it fails)."""
    form = form_class(definition, service).from_draft(answers, files)
    form.validate()
    return form


def confirm(definition: Form, service: Service | None, draft_id: str, kind: str):
    """Store the draft for good and show the receipt (a second click finds the same record)."""
    loaded = load_draft(draft_id, kind, service)
    if loaded is None:
        from form_backend.db import find_by_key

        with current_app.extensions["carta_reader"]() as session:
            record = find_by_key(session, draft_id) if draft_id.isalnum() else None
        if record is not None and record.kind == kind and record.service == (
                service.slug if service else record.service):
            return redirect(f"/ricevuta/{draft_id}?lang={g.lang}", 303)
        abort(404)
    if isinstance(loaded, Expired):
        return expired_page(service)
    draft, stored_answers, files = loaded
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    form = recheck(definition, service, stored_answers, files)
    if form.errors:
        return show_form(definition, service, form, 422, rechecked=True)
    answers = form.answers()  # only what the form of this URL knows, as it checked it
    secret_names = sensitive_names(definition, service)
    total, _ = points(charter(), service, answers) if service else (None, False)
    copy_to = answers.get("email") if answers.get("copia-email") else None
    dumped, version = definition_record(definition)
    pending = Pending(
        kind=kind, key=draft.id, lang=draft.lang, charter=charter(),
        definition=dumped, form_version=version,
        answers={k: v for k, v in answers.items() if k not in secret_names},
        sensitive={k: v for k, v in answers.items() if k in secret_names},
        uploads=[Upload(a.document, a.filename, a.content_type, a.content) for a in files],
        # a complaint about a scheda is filed under it, so the office can filter by service
        service=service or charter().service_by_slug.get(answers.get("servizio", "")),
        comune=answers.get("comune") if kind == "domanda" else None,
        points=total, band=band_for(answers.get("isee")), copy_to=copy_to)

    def drop_draft(connection) -> None:  # its attachments go with it (ON DELETE CASCADE)
        connection.execute(_DROP_DRAFT, {"id": draft.id})

    store(current_app.extensions["carta_writer"], current_app.extensions["carta_fernet"], pending,
          current_app.config.get("OFFICE_EMAIL") or current_app.config["MAIL_FROM"],
          public_url(), cleanup=drop_draft)
    response = redirect(f"/ricevuta/{draft.id}?lang={g.lang}", 303)
    response.delete_cookie(DRAFT_COOKIE, path=check_path(service, draft.id),
                           secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                           httponly=True, samesite="Strict")
    return response


def expired_page(service: Service | None):
    """410: the draft is gone; start again (the answers were deleted)."""
    return render_template("error.html", key="err_draft_expired", status=410,
                           values={"hours": current_app.config["DRAFT_TTL_HOURS"]},
                           again=f"{form_path(service)}?lang={g.lang}",
                           title=charter().t(g.lang, "err_draft_expired_title")), 410


def not_online(service: Service, status: int = 200):
    """The page of a scheda that takes no online applications: how to apply instead."""
    return render_template("not_online.html", service=service,
                           title=label_of(service.title, g.lang)), status


def band_for(isee: str | None) -> str | None:
    """The access band of a declared ISEE, when the charter states the reference amount."""
    bands = charter().bands
    if not isee or not bands or bands.reference_amount is None:
        return None
    from decimal import Decimal

    pct = Decimal(isee) * 100 / bands.reference_amount
    for band in bands.bands:
        lo = band.isee_min_pct if band.isee_min_pct is not None else Decimal(0)
        hi = band.isee_max_pct
        if pct >= lo and (hi is None or pct <= hi):
            return band.id
    return bands.bands[-1].id


def fill_step(definition: Form, service: Service | None, kind: str, prefill: dict | None = None):
    """GET: the empty form (``prefill`` sets answers); POST: valid answers go on to the check
    page, invalid ones come back with their messages, a filled honeypot gets a bare 400."""
    form = form_class(definition, service)()
    if request.method == "POST":
        if form.validate():
            return receive(definition, service, form, kind)
        if form.website.data:
            abort(400)
        return show_form(definition, service, form, 422)
    for name, value in (prefill or {}).items():
        if name in form._fields:
            form[name].data = value
    return show_form(definition, service, form)


def check_step(definition: Form, service: Service | None, draft_id: str, kind: str, back: str):
    """GET: the check-your-answers page of a draft; POST: send it (CSRF-protected).  Both
    check the draft again first: another browser, form or scheda gets a 404, an expired draft
    a 410, answers the charter no longer accepts the form with its messages (422)."""
    if request.method == "POST":
        return confirm(definition, service, draft_id, kind)
    loaded = load_draft(draft_id, kind, service)
    if loaded is None:
        abort(404)
    if isinstance(loaded, Expired):
        return expired_page(service)
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    _, answers, files = loaded
    form = recheck(definition, service, answers, files)
    if form.errors:
        return show_form(definition, service, form, 422, rechecked=True)
    return render_template("check.html", rows=summary(definition, service, form.answers(), files),
                           service=service, definition=definition, back=back,
                           title=label_of(definition.title, g.lang))
