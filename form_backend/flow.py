"""The three steps both forms share: fill in → check your answers → send (then the receipt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from flask import abort, current_app, g, redirect, render_template, request
from sqlalchemy import bindparam, delete, insert, select
from werkzeug.datastructures import FileStorage

from carta.model import Charter
from carta.rules import FieldType, Form
from carta.service import Service
from form_backend.db import Attachment, Draft, utcnow
from form_backend.forms import applicable_parameters, build_form, file_kind, label_of, points
from form_backend.store import Pending, Upload, decrypt, encrypt, store


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


def show_form(definition: Form, service: Service | None, form, status: int = 200):
    """The form page, with the error summary when there are errors."""
    errors = [(name, field.label.text, message) for name, field in form._fields.items()
              for message in field.errors if name != "csrf_token"]
    sections = [(s, [x for x in _section_fields(s, form, service)]) for s in definition.sections]
    return render_template("form.html", definition=definition, service=service, form=form,
                           errors=errors, sections=sections,
                           title=label_of(definition.title, g.lang)), status


def _section_fields(section, form, service):
    for f in section.fields:
        if f.type is FieldType.access_parameters:
            yield from (form[n] for n in form._order if n.startswith("par-"))
        elif f.type is FieldType.documents:
            yield from (form[n] for n in form._order if n.startswith("doc-"))
        elif f.id in form._fields:
            yield form[f.id]


def receive(definition: Form, service: Service | None, form, kind: str):
    """Valid answers become a draft; the citizen is sent to check them."""
    answers = form.answers()
    secret_names = sensitive_names(definition, service)
    secret = {k: v for k, v in answers.items() if k in secret_names}
    public = {k: v for k, v in answers.items() if k not in secret_names}
    draft = {"id": secrets.token_hex(16), "kind": kind,
             "service": service.slug if service else None, "lang": g.lang,
             "created_at": utcnow(), "data": public,
             "sensitive": encrypt(current_app.extensions["carta_fernet"], secret)}
    files = []
    for name, field in form._fields.items():
        if not name.startswith("doc-"):
            continue
        for upload in field.data if isinstance(field.data, list) else [field.data]:
            if isinstance(upload, FileStorage) and upload.filename:
                content = upload.read()
                files.append({"draft_id": draft["id"], "document": name,
                              "filename": upload.filename[:255],
                              "content_type": file_kind(content[:16]) or "",
                              "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                              "content": content})

    def write(connection) -> None:  # the draft row first: attachments point to it
        connection.execute(_NEW_DRAFT, draft)
        if files:
            connection.execute(_NEW_DRAFT_FILE, files)

    current_app.extensions["carta_draft_writer"].run(write)
    base = f"/domanda/{service.slug}" if service else "/reclamo"
    return redirect(f"{base}/controlla/{draft['id']}?lang={g.lang}", 303)


_NEW_DRAFT = insert(Draft.__table__)
_NEW_DRAFT_FILE = insert(Attachment.__table__)
_DRAFT = select(Draft.__table__).where(Draft.__table__.c.id == bindparam("id"))
_DRAFT_FILES = (select(Attachment.__table__)
                .where(Attachment.__table__.c.draft_id == bindparam("id"))
                .order_by(Attachment.__table__.c.id))


def load_draft(draft_id: str) -> tuple[Any, dict[str, Any], list] | None:
    """A draft with its decrypted answers and attachments, or None when gone."""
    if not draft_id.isalnum() or len(draft_id) > 64:
        return None
    with current_app.extensions["carta_reader_engine"].connect() as connection:
        draft = connection.execute(_DRAFT, {"id": draft_id}).first()
        if draft is None:
            return None
        files = connection.execute(_DRAFT_FILES, {"id": draft_id}).all()
    answers = {**draft.data, **decrypt(current_app.extensions["carta_fernet"], draft.sensitive)}
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


def confirm(definition: Form, service: Service | None, draft_id: str, kind: str):
    """Store the draft for good and show the receipt (a second click finds the same record)."""
    loaded = load_draft(draft_id)
    if loaded is None:
        from form_backend.db import find_by_key

        with current_app.extensions["carta_reader"]() as session:
            if find_by_key(session, draft_id):
                return redirect(f"/ricevuta/{draft_id}?lang={g.lang}", 303)
        return None
    draft, answers, files = loaded
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
          request.host_url, cleanup=drop_draft)
    return redirect(f"/ricevuta/{draft.id}?lang={g.lang}", 303)


_DROP_DRAFT = delete(Draft).where(Draft.id == bindparam("id"))


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
    """GET: the check-your-answers page of a draft; POST: send it (CSRF-protected)."""
    if request.method == "POST":
        return confirm(definition, service, draft_id, kind) or abort(404)
    loaded = load_draft(draft_id)
    if loaded is None:
        abort(404)
    _, answers, files = loaded
    return render_template("check.html", rows=summary(definition, service, answers, files),
                           service=service, definition=definition, back=back,
                           title=label_of(definition.title, g.lang))
