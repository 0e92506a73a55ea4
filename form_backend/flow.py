"""The three steps both forms share: fill in → check your answers → send (then the receipt).

Between the fill-in and the send the answers wait in a draft that only the browser that made
it can open (form_backend.drafts).  The check page and the send both check the draft again
against the form and scheda of their URL and the charter as it is now, exactly as the fill-in
step does, before anything is shown or stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request

from carta.model import Charter
from carta.rules import FieldType, Form
from carta.service import Service
from form_backend import drafts
from form_backend.forms import applicable_parameters, build_form, label_of, points
from form_backend.store import Pending, Upload, store


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


def receive(definition: Form, service: Service | None, form, kind: str):
    """Valid answers become a draft bound to this browser; the citizen is sent to check them."""
    answers = form.answers()
    secret_names = sensitive_names(definition, service)
    draft_id, secret = drafts.save(
        kind, service.slug if service else None, g.lang,
        public={k: v for k, v in answers.items() if k not in secret_names},
        sensitive={k: v for k, v in answers.items() if k in secret_names},
        uploads=form.uploads())
    path = check_path(service, draft_id)
    response = redirect(f"{path}?lang={g.lang}", 303)
    drafts.give_cookie(response, path, secret)
    return response


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
    loaded = drafts.load(draft_id, kind, service.slug if service else None)
    if loaded is None:
        from form_backend.db import find_by_key

        with current_app.extensions["carta_reader"]() as session:
            record = find_by_key(session, draft_id) if draft_id.isalnum() else None
        if record is not None and record.kind == kind and record.service == (
                service.slug if service else record.service):
            return redirect(f"/ricevuta/{draft_id}?lang={g.lang}", 303)
        abort(404)
    if isinstance(loaded, drafts.Expired):
        return expired_page(service)
    draft, files = loaded.row, loaded.files
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    form = recheck(definition, service, loaded.answers, files)
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

    store(current_app.extensions["carta_writer"], current_app.extensions["carta_fernet"], pending,
          current_app.config.get("OFFICE_EMAIL") or current_app.config["MAIL_FROM"],
          public_url(), cleanup=lambda connection: drafts.drop(draft.id, connection))
    response = redirect(f"/ricevuta/{draft.id}?lang={g.lang}", 303)
    drafts.take_cookie(response, check_path(service, draft.id))
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
    loaded = drafts.load(draft_id, kind, service.slug if service else None)
    if loaded is None:
        abort(404)
    if isinstance(loaded, drafts.Expired):
        return expired_page(service)
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    form = recheck(definition, service, loaded.answers, loaded.files)
    if form.errors:
        return show_form(definition, service, form, 422, rechecked=True)
    return render_template("check.html", rows=summary(definition, service, form.answers(),
                                                      loaded.files),
                           service=service, definition=definition, back=back,
                           title=label_of(definition.title, g.lang))
