"""Legal texts as the citizen reads them: a form's privacy notice (Reg. UE 2016/679 art. 13)
and a scheda's procedure facts (D.Lgs 33/2013 art. 35: who is responsible, the substitute with
power to act, the remedies, how to pay).

The charter's data come first (a form's ``notice:``, then the district's ``privacy:``; a
scheda's ``substitute``/``remedies``/``cost.payment``, then the district's); what general law
says anyway comes from the interface strings; a fact only the district can give (its DPO, the
recipients, transfers outside the EU) and that it has not given is shown as "to be completed",
never guessed.  A notice has a version, the digest of what it says in every language, which a
submission keeps with the citizen's acknowledgement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from carta.model.charter import Charter
from carta.model.legal import Officer
from carta.model.rules import FieldType, Form
from carta.model.service import Service
from carta.present.contacts import ContactLine, contact_lines
from carta.present.text import Shown, shown


@dataclass(frozen=True)
class NoticePart:
    """One heading of the notice ("Titolare del trattamento") and what it says: lines of text,
    contact lines (e-mail, phone), or ``missing`` when the charter has yet to say it."""

    key: str
    label: str
    lines: tuple[Shown, ...]
    contacts: tuple[ContactLine, ...] = ()
    missing: bool = False


@dataclass(frozen=True)
class NoticeView:
    """A form's privacy notice in one language, in the order of art. 13."""

    form_id: str
    title: str
    form_title: Shown
    intro: Shown | None  # the form's own sentence on its data (``privacy:``), when it has one
    parts: tuple[NoticePart, ...]
    missing_text: str  # what a missing part says
    version: str  # digest of the notice in every language (what a submission acknowledges)
    acknowledgement: str | None  # id of the form's "I have read the notice" box, if it has one

    @property
    def missing(self) -> tuple[str, ...]:
        """Keys of the parts the charter has yet to state."""
        return tuple(p.key for p in self.parts if p.missing)


class _Contacts:
    """Contact details of a notice's controller or DPO, as a contact holder."""

    def __init__(self, email, phones=()):
        self.email, self.phones = list(email), list(phones)


def _pick(charter: Charter, form: Form, name: str):
    """A notice key: the form's, else the district's, else None (an empty list counts as not
    given, so a form inherits the district's recipients unless it lists its own)."""
    for notice in (form.notice, charter.district.privacy):
        value = getattr(notice, name, None) if notice is not None else None
        if value not in (None, []):
            return value
    return None


def asks_health_data(charter: Charter, form: Form) -> bool:
    """Whether the form can collect health or disability data (special categories, art. 9): a
    field marked sensitive, a sensitive access parameter, or a sensitive document to upload;
    a notice's ``health_data`` says so explicitly."""
    stated = _pick(charter, form, "health_data")
    if stated is not None:
        return bool(stated)
    types = {f.type for f in form.fields()}
    if any(f.sensitive for f in form.fields()):
        return True
    if FieldType.access_parameters in types and charter.access_parameters and any(
            p.sensitive for g in charter.access_parameters.groups for p in g.parameters):
        return True
    return FieldType.documents in types and any(
        d.sensitive for s in charter.services for d in s.access.documents)


def _view(charter: Charter, form: Form, lang: str) -> tuple:
    """(intro, parts) of the notice of ``form`` in ``lang``."""
    t = lambda key, **v: charter.t(lang, key, **v)  # noqa: E731
    health = asks_health_data(charter, form)
    parts: list[NoticePart] = []

    def add(key: str, lines, contacts=(), missing=False, label: str | None = None) -> None:
        parts.append(NoticePart(key, label or t(f"notice_{key}"),
                                tuple(x for x in lines if x), tuple(contacts), missing))

    def texts(name: str) -> list[Shown]:
        value = _pick(charter, form, name)
        if value is None:
            return []
        return [shown(v, lang) for v in (value if isinstance(value, list) else [value])]

    def law(key: str) -> Shown:
        return Shown(t(key), lang)

    for key, email_key, phone_key in (("controller", "controller_email", None),
                                      ("dpo", "dpo_email", "dpo_phone")):
        lines = texts(key)
        holder = _Contacts(_pick(charter, form, email_key) or [],
                           _pick(charter, form, phone_key) or [] if phone_key else [])
        contacts = [c for c in contact_lines(charter, holder, lang)]
        add(key, lines, contacts, missing=not lines and not contacts)
    for key in ("designee", "processor"):  # only where the charter names them
        if texts(key):
            add(key, texts(key))
    purposes = texts("purposes")
    add("purposes", purposes, missing=not purposes)
    basis = texts("legal_basis") or [law("notice_basis_public_task")] + (
        [law("notice_basis_health")] if health else [])
    add("legal_basis", basis)
    categories = texts("categories") + ([law("notice_categories_health")] if health else [])
    add("categories", categories, missing=not categories)
    add("provision", texts("provision") or [law("notice_provision_default")])
    recipients = texts("recipients")
    add("recipients", recipients, missing=not recipients)
    outside = _pick(charter, form, "outside_eu")
    if outside is None:
        add("outside_eu", [], missing=True)
    else:
        add("outside_eu", [law("notice_outside_eu_yes" if outside else "notice_outside_eu_no"),
                           *texts("outside_eu_text")])
    add("retention", texts("retention") or [law("notice_retention_default")])
    add("rights", [law("notice_rights_text")])
    add("complaint", [law("notice_complaint_text")])
    add("law", [law("notice_law_text"), *texts("law")])
    return shown(form.privacy, lang), parts


def _digest(charter: Charter, form: Form) -> str:
    every = {lang: [asdict(p) for p in _view(charter, form, lang)[1]]
             for lang in charter.district.languages}
    data = json.dumps([form.id, every], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:12]


_VERSIONS: dict[tuple[str, str], str] = {}


def notice_version(charter: Charter, form: Form) -> str:
    """The version of ``form``'s notice: ``<form id>-<digest of what it says in every
    language>``; any change of its words (the charter's or carta's) makes a new version."""
    key = (charter.content_hash, form.id)
    if key not in _VERSIONS:
        _VERSIONS[key] = f"{form.id}-{_digest(charter, form)}"
    return _VERSIONS[key]


def notice(charter: Charter, form: Form, lang: str) -> NoticeView:
    """The privacy notice of ``form`` in ``lang``: the charter's facts, carta's wording of the
    law where the charter gives none, and "to be completed" where only the district can say."""
    intro, parts = _view(charter, form, lang)
    return NoticeView(form.id, charter.t(lang, "privacy_title"), shown(form.title, lang), intro,
                      tuple(parts), charter.t(lang, "notice_missing"),
                      notice_version(charter, form),
                      box.id if (box := acknowledgement_field(form)) is not None else None)


def notice_record(charter: Charter, form: Form) -> dict:
    """The notice as a submission keeps it: its version and, per language, every heading and
    line exactly as shown (so the office can read later what the citizen acknowledged)."""
    key = (charter.content_hash, form.id, "record")
    if key in _RECORDS:
        return _RECORDS[key]
    out = {}
    for lang in charter.district.languages:
        view = notice(charter, form, lang)
        out[lang] = [{"label": p.label,
                      "lines": [x.text for x in p.lines]
                      + [f"{c.label}: {', '.join(v.text.text for v in c.values)}"
                         for c in p.contacts]
                      + ([view.missing_text] if p.missing else [])}
                     for p in view.parts]
    _RECORDS[key] = {"version": notice_version(charter, form), "notice": out}
    return _RECORDS[key]


_RECORDS: dict[tuple, dict] = {}


def acknowledgement_field(form: Form):
    """The box "I have read the notice" of ``form`` (role ``privacy_notice``), if it has one."""
    from carta.model.rules import FieldRole

    return form.field_with_role(FieldRole.privacy_notice)


# --- D.Lgs 33/2013 art. 35 ------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerView:
    """Who answers: role, a name where stated, their office and how to reach them."""

    role: Shown
    name: str | None
    office: Shown | None
    contacts: tuple[ContactLine, ...]


@dataclass(frozen=True)
class ProcedureView:
    """What art. 35 asks of a scheda's procedure, in one language.

    ``substitute`` is None when neither the scheda nor the district names the titolare del
    potere sostitutivo: ``substitute_by_law`` then says who holds the power by law (L. 241/1990
    art. 2 c. 9-bis).  ``payment`` is shown only where the citizen pays."""

    responsible: OfficerView
    substitute: OfficerView | None
    substitute_by_law: Shown | None
    remedies: tuple[Shown, ...]
    payment: Shown | None
    pays: bool


def _officer(charter: Charter, officer: Officer, lang: str) -> OfficerView:
    office = charter.office_by_id.get(officer.office or "")
    return OfficerView(shown(officer.role, lang), officer.name,
                       shown(office.name, lang) if office else None,
                       tuple(contact_lines(charter, officer, lang)))


def procedure(charter: Charter, service: Service, lang: str) -> ProcedureView:
    """The art. 35 facts of ``service``: the responsible officer (the scheda's), the substitute
    (the scheda's, else the district's, else the law's rule), the remedies (the scheda's, else
    the district's, else carta's wording of general law) and, where there is a cost, how to pay
    (the scheda's, else the district's; else the office says)."""
    d = charter.district
    resp = service.responsible
    office = charter.office_by_id.get(resp.office or "")
    responsible = OfficerView(shown(resp.role, lang), None,
                              shown(office.name, lang) if office else None,
                              tuple(contact_lines(charter, _Contacts(office.email, office.phones),
                                                  lang)) if office else ())
    who = service.substitute or d.substitute
    remedies = service.remedies or d.remedies
    pays = not service.cost.free
    payment = service.cost.payment or d.payment
    return ProcedureView(
        responsible=responsible,
        substitute=_officer(charter, who, lang) if who else None,
        substitute_by_law=None if who else Shown(charter.t(lang, "procedure_substitute_law"),
                                                 lang),
        remedies=tuple(shown(r, lang) for r in remedies) if remedies else (
            Shown(charter.t(lang, "procedure_remedy_tar"), lang),
            Shown(charter.t(lang, "procedure_remedy_president"), lang)),
        payment=(shown(payment, lang) if payment else
                 Shown(charter.t(lang, "procedure_payment_unstated"), lang)) if pays else None,
        pays=pays)
