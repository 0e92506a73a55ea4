"""The steps both forms share: fill in (page by page) → check your answers → send.

The fill-in is a sequence of short pages (``pages:`` of the form in the YAML; one page with
every field when there are none).  The first page posted makes a draft that only the browser
that made it can open (form_backend.drafts); each later page lives under the draft's URL
(``…/controlla/<id>/passo/<page>``) and saves into it, errors or not, uploads included, so
nothing typed is lost by an error, a language switch or a "Cambia" round trip.  A POST of
the whole form at once (no ``_step``: an older page, a script) is checked whole, as before.

The check page and the send both check the draft again against the form and scheda of their
URL and the charter as it is now, exactly as the fill-in step does, before anything is shown
or stored; answers that no longer pass bring back the first page they fail on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import re
from urllib.parse import urlencode, urlsplit

from flask import abort, current_app, g, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from carta.model.charter import Charter
from carta.model.rules import FieldRole, FieldType, Form, FormPage
from carta.model.service import Service
from carta.present.legal import notice_record
from form_backend import drafts
from form_backend.forms import applicable_parameters, build_form, label_of, points
from form_backend.store import Pending, Upload, store


def page_limit() -> str:
    """The rate limit of a draft's pages: ten times that of sends (CARTA_RATELIMIT_SUBMIT),
    as a domanda is about ten pages; a new draft (the first page) counts as a send."""
    from form_backend.extensions import submit_limit

    return re.sub(r"(^|;)\s*(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) * 10}",
                  submit_limit())


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
        uploads=form.uploads(), seen=[p.id for p in definition.steps()])
    path = check_path(service, draft_id)
    response = redirect(f"{path}?lang={g.lang}", 303)
    drafts.give_cookie(response, path, secret)
    return response


def summary(definition: Form, service: Service | None, answers: dict, files) -> list:
    """(label, shown value) rows for the check-your-answers page and the receipt."""
    form = form_class(definition, service)(meta={"csrf": False}, formdata=None)
    return [row for name in form._order for row in _row(form, name, answers, files)]


_LTR = ("tel", "email")  # shown left to right in any language, isolated from the text around


def _row(form, name: str, answers: dict, files, unticked: bool = False):
    field = form[name]
    label = form._labels.get(name) or field.label.text
    if name.startswith("doc-"):
        names = [a.filename for a in files if a.document == name]
        if names:
            yield name, label, ", ".join(names)
        return
    if name not in answers:
        if unticked and not name.startswith("par-") and type(field).__name__ == "BooleanField":
            yield name, label, charter().t(g.lang, "print_no")  # a "no" one may change
        return
    value = answers[name]
    choices = dict(getattr(field, "choices", None) or [])
    if choices:
        value = choices.get(str(value), value)
    elif value is True:
        value = charter().t(g.lang, "print_yes")
    elif type(field).__name__ == "DateParts":
        with contextlib.suppress(TypeError, ValueError):
            value = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    yield name, label, value


def value_direction(form, name: str) -> str | None:
    """``ltr`` for answers that read left to right whatever the language (phone numbers,
    e-mail addresses, codes, dates, amounts), else None (the text's own direction)."""
    field = form[name]
    kw = field.render_kw or {}
    if kw.get("type") in _LTR or kw.get("dir") == "ltr" or type(field).__name__ in (
            "DateParts", "IntegerField"):
        return "ltr"
    return None


def summary_pages(definition: Form, service: Service | None, answers: dict, files) -> list:
    """The check page: per page asked, (page, its URL to change it, rows of (name, label,
    value, direction))."""
    form = form_class(definition, service).from_draft(answers, [])
    off = form.inactive()
    out = []
    for page in active_steps(form):
        rows = [(name, label, value, value_direction(form, name))
                for n in form.page_names(page) if n not in off
                for name, label, value in _row(form, n, answers, files, unticked=True)]
        out.append((page, rows))
    return out


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
    draft_language(loaded)
    asked = _identified(definition, service, kind, loaded)
    if asked is not None:
        return asked
    draft, files = loaded.row, loaded.files
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    form = recheck(definition, service, loaded.answers, files)
    if form.errors:
        return show_failing_step(definition, service, draft.id, form, loaded)
    answers = form.answers()  # only what the form of this URL knows, as it checked it
    secret_names = sensitive_names(definition, service)
    total, _ = points(charter(), service, answers) if service else (None, False)
    def answer(role: FieldRole):  # fields are found by the role the YAML gives them
        field = definition.field_with_role(role)
        return answers.get(field.id) if field is not None else None

    copy_to = answer(FieldRole.email) if answer(FieldRole.copy_request) else None
    subject = next((f.id for f in definition.fields() if f.type is FieldType.service), None)
    dumped, version = definition_record(definition)
    # the box "Ho letto l'informativa" (role privacy_notice): the notice shown is kept with it
    box = definition.field_with_role(FieldRole.privacy_notice)
    notice = notice_record(charter(), definition) if box and answers.get(box.id) else None
    pending = Pending(
        kind=kind, key=draft.id, lang=draft.lang, charter=charter(),
        definition=dumped, form_version=version,
        answers={k: v for k, v in answers.items() if k not in secret_names},
        sensitive={k: v for k, v in answers.items() if k in secret_names},
        uploads=[Upload(a.document, a.filename, a.content_type, a.content) for a in files],
        # a complaint about a scheda is filed under it, so the office can filter by service
        service=service or charter().service_by_slug.get(answers.get(subject) or ""),
        comune=answer(FieldRole.comune) if kind == "domanda" else None,
        points=total, band=band_for(answer(FieldRole.isee)), copy_to=copy_to,
        notice_version=notice["version"] if notice else None,
        notice=notice["notice"] if notice else None,
        identified_by=_issuer(loaded))

    store(current_app.extensions["carta_writer"], current_app.extensions["carta_fernet"], pending,
          current_app.config.get("OFFICE_EMAIL") or current_app.config["MAIL_FROM"],
          public_url(), cleanup=lambda connection: drafts.drop(draft.id, connection))
    response = redirect(f"/ricevuta/{draft.id}?lang={g.lang}", 303)
    drafts.take_cookie(response, check_path(service, draft.id))
    return response


def draft_language(loaded) -> None:
    """A draft's page asked without ``?lang=`` answers in the draft's language (the one it
    was last saved in); a ``lang`` in the URL always wins."""
    if "lang" not in request.args and loaded.row.lang in charter().district.languages:
        g.lang = loaded.row.lang


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
    """GET: the first page (``prefill`` sets answers); POST of a page (``_step``): saved into
    a new draft, see :func:`step_post`; POST of the whole form: valid answers go on to the
    check page, invalid ones come back with their messages, a filled honeypot gets a 400.
    A form that requires identification (form_backend.oidc) asks for the login first."""
    from form_backend import oidc

    asked = oidc.gate(definition, service, kind)
    if asked is not None:
        return asked
    if request.method == "GET":
        return step_get(definition, service, kind, None, None, prefill)
    step = request.form.get("_step")
    if step is not None:
        return step_post(definition, service, kind, None, step, prefill)
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
    loaded, instead = _open(draft_id, kind, service)
    if instead is not None:
        return instead
    if service is not None and not service.takes_applications:
        return not_online(service, 409)
    form = recheck(definition, service, loaded.answers, loaded.files)
    if form.errors:
        return show_failing_step(definition, service, draft_id, form, loaded)
    path = check_path(service, draft_id)
    return render_template("check.html", pages=summary_pages(definition, service,
                                                             form.answers(), loaded.files),
                           service=service, definition=definition, back=back,
                           change=lambda page, name: f"{path}/passo/{page.id}?lang={g.lang}"
                           f"&cambia=1#{name}", here=path,
                           restart=f"{path}/passo/{definition.steps()[0].id}?lang={g.lang}",
                           locked=_locked(loaded), **_identity_context(loaded, path),
                           title=charter().t(g.lang, "form_check_title") + " — "
                           + label_of(definition.title, g.lang))


# --- the fill-in, page by page ---


def active_steps(form) -> list[FormPage]:
    """The pages to ask given the answers so far: those with a question that applies."""
    off = form.inactive()
    return [p for p in form._definition.steps()
            if any(n not in off for n in form.page_names(p))]


def step_path(service: Service | None, draft_id: str | None, page: FormPage) -> str:
    """A page of the fill-in: the form's own URL before there is a draft, else under it."""
    if draft_id is None:
        return form_path(service)
    return f"{check_path(service, draft_id)}/passo/{page.id}"


def _page(definition: Form, page_id: str) -> FormPage:
    page = next((p for p in definition.steps() if p.id == page_id), None)
    if page is None:
        abort(404)
    return page


def _draft_form(definition, service, answers: dict):
    """The form filled in with a draft's answers, for showing (not checked)."""
    data = MultiDict()
    for name, value in answers.items():
        data.add(name, "y" if value is True else str(value))
    return form_class(definition, service)(formdata=data)


def show_step(definition: Form, service: Service | None, form, page: FormPage,
              draft_id: str | None, files=(), status: int = 200, rechecked: bool = False,
              changing: bool = False, loaded=None):
    """A page of the fill-in, with its error summary when its answers have errors; the
    answers the identity gives are shown, not asked."""
    names = form.page_names(page)
    locked = _locked(loaded)
    # a question that depends on an answer on the same page is shown (the answer may change
    # here; without script nothing can reveal it); its answer is dropped if it does not apply
    here_too = {f.id for f in form._definition.fields()
                if f.id in page.fields and f.when and f.when.field in page.fields}
    off = form.inactive() - here_too
    steps = active_steps(form)
    if page not in steps:
        steps = [p for p in form._definition.steps() if p in steps or p == page]
    number = steps.index(page) + 1
    errors = [(name, message) for name in names if name not in off
              for message in form[name].errors]
    if "csrf_token" in form._fields:
        errors += [("csrf_token", m) for m in form.csrf_token.errors]
    here = step_path(service, draft_id, page)
    previous = steps[number - 2] if number > 1 else None
    query = f"?lang={g.lang}" + ("&cambia=1" if changing else "")
    if draft_id is None and request.args.get("servizio"):  # a complaint about this scheda
        query += "&" + urlencode({"servizio": request.args["servizio"]})
    kept = {}
    for a in files:
        if a.document in names:
            kept.setdefault(a.document, []).append(a)
    page_title = label_of(page.title, g.lang)
    form_title = label_of(definition.title, g.lang)
    title = form_title if page_title == form_title else f"{page_title} — {form_title}"
    shown_locked = [(label, value) for n in names if n in locked and n not in off
                    for _name, label, value in _row(form, n, locked, ())]
    return render_template(
        "step.html", definition=definition, service=service, form=form, page=page,
        fields=[form[n] for n in names if n not in off and n not in locked], errors=errors,
        locked=shown_locked, **_identity_context(
            loaded, check_path(service, draft_id) if draft_id else None), number=number,
        total=len(steps), last=page == form._definition.steps()[-1],
        action=here + query, here=here, changing=changing, rechecked=rechecked, kept=kept,
        back=(step_path(service, draft_id, previous) + query) if previous and draft_id
        else None, heading=page_title, title=title), status


def show_failing_step(definition, service, draft_id: str, form, loaded):
    """Answers the charter no longer accepts (or a page never finished): the first page
    they fail on, with its messages, to correct and come back to the check page (422)."""
    for page in active_steps(form):
        if any(form[n].errors for n in form.page_names(page)):
            return show_step(definition, service, form, page, draft_id, loaded.files, 422,
                             rechecked=True, changing=True, loaded=loaded)
    return show_form(definition, service, form, 422, rechecked=True)


def _open(draft_id: str, kind: str, service: Service | None):
    """(the browser's own live draft, None), or (None, the page to answer instead): 404 for
    no such draft here (another browser, form or scheda), "start again" when it expired."""
    loaded = drafts.load(draft_id, kind, service.slug if service else None)
    if loaded is None:
        abort(404)
    if isinstance(loaded, drafts.Expired):
        return None, expired_page(service)
    draft_language(loaded)
    definition = charter().form_by_id[kind]
    asked = _identified(definition, service, kind, loaded)
    if asked is not None:
        return None, asked
    return loaded, None


# --- identification (form_backend.oidc): the identity's answers replace any other ---


def _identified(definition: Form, service: Service | None, kind: str, loaded):
    """None when the draft may go on (its locked answers put back in place, whatever was
    stored or sent for them); else the page asking to log in."""
    from form_backend import oidc

    asked = oidc.gate(definition, service, kind, loaded)
    if asked is None:
        loaded.answers.update(oidc.locked(loaded))
    return asked


def _locked(loaded) -> dict:
    from form_backend import oidc

    return oidc.locked(loaded) if loaded is not None else {}


def _issuer(loaded) -> str | None:
    from form_backend import oidc

    found = oidc.identity(loaded.row) if oidc.enabled() else None
    return found["iss"] if found else None


def _identity_context(loaded, path: str | None) -> dict:
    """Who is identified on a draft's pages, and where to log out."""
    from form_backend import oidc

    found = oidc.identity(loaded.row) if loaded is not None and oidc.enabled() else None
    if not found or path is None:
        return {"identified": None}
    return {"identified": found["name"] or found["iss"], "logout": f"{path}/esci?lang={g.lang}",
            "provider": current_app.config["OIDC_PROVIDER_NAME"]}


def step_get(definition: Form, service: Service | None, kind: str, draft_id: str | None,
             page_id: str | None, prefill: dict | None = None):
    """A page of the fill-in as saved: the first page of a new form, or a draft's page."""
    if draft_id is None:
        form = _draft_form(definition, service, {k: v for k, v in (prefill or {}).items()})
        return show_step(definition, service, form, active_steps(form)[0], None)
    loaded, instead = _open(draft_id, kind, service)
    if instead is not None:
        return instead
    form = _draft_form(definition, service, loaded.answers)
    return show_step(definition, service, form, _page(definition, page_id), draft_id,
                     loaded.files, changing=bool(request.args.get("cambia")), loaded=loaded)


def step_post(definition: Form, service: Service | None, kind: str, draft_id: str | None,
              page_id: str, prefill: dict | None = None):
    """Save a page into the draft (making the draft on the first page), whatever its errors:
    then the next page (or the check page), or this page again with its messages (422)."""
    loaded = None
    if draft_id is not None:
        loaded, instead = _open(draft_id, kind, service)
        if instead is not None:
            return instead
    page = _page(definition, page_id)
    cls = form_class(definition, service)
    names = [n for fid in page.fields for n in cls._names.get(fid, [])]
    previous = loaded.answers if loaded else dict(prefill or {})
    files = list(loaded.files) if loaded else []
    if request.form.get("_remove"):  # "Rimuovi" on a kept file (its own little form)
        if loaded is None:
            abort(404)
        gone = {a.id for a in files if str(a.id) == request.form["_remove"]
                and a.document in names}
        drafts.update(loaded, g.lang, *_split(definition, service, previous), loaded.seen,
                      remove=gone)
        return redirect(step_path(service, draft_id, page) + _query(), 303)
    submitted = cls._submitted()
    data = MultiDict()
    for name, value in previous.items():
        if name not in names:
            data.add(name, "y" if value is True else str(value))
    parts = {f"{n}-{p}" for n in names for p in ("day", "month", "year")}
    locked = _locked(loaded)  # what the identity gives: never what was sent
    parts -= {f"{n}-{p}" for n in locked for p in ("day", "month", "year")}
    for key, value in submitted.items(multi=True):
        if (key in names and key not in locked) or key in parts or key in (
                "csrf_token", "website"):
            data.add(key, value)
    for name in (n for n in names if n in locked):
        data.add(name, str(locked[name]))
    form = cls(formdata=data)
    form._kept = frozenset(a.document for a in files if a.document in names)
    form.validate()
    if form.website.data:
        abort(400)
    off = form.inactive()
    page_errors = any(form[n].errors for n in names if n not in off) or (
        "csrf_token" in form.errors)
    answers = {k: v for k, v in previous.items() if k not in names and k not in off}
    answers.update(form.answers(only=names))
    uploads = [u for u in form.uploads() if u[0] in names and not form[u[0]].errors]
    single = {u[0] for u in uploads if not u[0].endswith("-altri")}
    public, sensitive = _split(definition, service, answers)
    seen = list(loaded.seen) if loaded else []
    if not page_errors and page.id not in seen:
        seen.append(page.id)
    if loaded is None:
        draft_id, secret = drafts.save(kind, service.slug if service else None, g.lang,
                                       public, sensitive, uploads, seen)
    else:
        secret = None
        drafts.update(loaded, g.lang, public, sensitive, seen, uploads, replace=single)
    if page_errors:
        reloaded = drafts.load(draft_id, kind, service.slug if service else None) \
            if secret is None else None
        kept_files = reloaded.files if isinstance(reloaded, drafts.Loaded) else [
            _Kept(i, *u) for i, u in enumerate(uploads)]
        response = show_step(definition, service, form, page, draft_id, kept_files, 422,
                             changing=bool(request.args.get("cambia")), loaded=loaded)
        response = current_app.make_response(response)
    else:
        response = redirect(_next(definition, service, form, page, draft_id, seen), 303)
    if secret is not None:
        drafts.give_cookie(response, check_path(service, draft_id), secret)
    return response


class _Kept:
    """A file just saved with a new draft, shown as kept (before the draft is read back)."""

    def __init__(self, i, document, filename, content_type, content):
        self.id, self.document, self.filename = -1 - i, document, filename


def _query() -> str:
    return f"?lang={g.lang}" + ("&cambia=1" if request.args.get("cambia") else "")


def _split(definition, service, answers: dict) -> tuple[dict, dict]:
    secret_names = sensitive_names(definition, service)
    return ({k: v for k, v in answers.items() if k not in secret_names},
            {k: v for k, v in answers.items() if k in secret_names})


def _next(definition, service, form, page: FormPage, draft_id: str, seen: list[str]) -> str:
    """After a page: the next one; when changing an answer, the first page that applies and
    was never finished (a question the change brought in), else the check page."""
    steps = active_steps(form)
    if request.args.get("cambia"):
        todo = [p for p in steps if p.id not in seen]
        if todo:
            return step_path(service, draft_id, todo[0]) + _query()
        return f"{check_path(service, draft_id)}?lang={g.lang}"
    later = [p for p in steps[steps.index(page) + 1:]] if page in steps else []
    if later:
        return step_path(service, draft_id, later[0]) + _query()
    todo = [p for p in steps if p.id not in seen]
    if todo:
        return step_path(service, draft_id, todo[0]) + _query()
    return f"{check_path(service, draft_id)}?lang={g.lang}"
