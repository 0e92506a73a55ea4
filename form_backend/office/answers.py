"""What the office pages show of a submission, from the YAML: the applicant by field role,
answers under the labels and sections the citizen saw, statuses and deadlines in words,
times in Europe/Rome, the complaint procedure's dates in working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carta.model.calendar import add_days, add_working_days, is_working_day
from carta.model.charter import Charter
from carta.model.rules import FieldType, Form
from form_backend.cases import roles_of
from form_backend.forms import applicable_parameters, label_of
from form_backend.store import ROME

STATUSES = ["ricevuta", "in-istruttoria", "convocazione", "integrazione-richiesta", "conclusa"]
NEXT = {"ricevuta": ["in-istruttoria"],
        "in-istruttoria": ["convocazione", "integrazione-richiesta", "conclusa"],
        "convocazione": ["in-istruttoria", "conclusa"],
        "integrazione-richiesta": ["in-istruttoria", "conclusa"],
        "conclusa": []}


def form_of(charter: Charter, kind: str) -> Form | None:
    """The charter's form of a kind of submission (``domanda`` or ``reclamo``)."""
    return next((f for f in charter.forms if f.id == kind), None)


def current_roles(charter: Charter) -> dict[str, dict[str, str]]:
    """``{kind: {role: field id}}`` of the charter's forms as they are now."""
    return {f.id: {x.role.value: x.id for x in f.fields() if x.role} for f in charter.forms}


def roles_for(charter: Charter, kind: str, stored_definition: dict | None) -> dict[str, str]:
    """The roles of the definition a record was checked against, else of today's form."""
    return roles_of(stored_definition) or current_roles(charter).get(kind, {})


def rome(value: dt.datetime | None, with_time: bool = True) -> str:
    """A stored UTC time as the office reads it: Europe/Rome, dd/mm/yyyy (hh:mm)."""
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def day(iso: str | None) -> str:
    """``2026-03-04`` → ``04/03/2026``."""
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def today() -> dt.date:
    """Today in Rome."""
    return dt.datetime.now(ROME).date()


@dataclass
class Row:
    """One answer as shown: its label and value."""

    label: str
    value: str
    health: bool = False


def _shown(charter: Charter, field, value, lang: str) -> str:
    if value is None or value == "":
        return ""
    if value is True:
        return charter.t(lang, "print_yes")
    if field is None:
        return str(value)
    if field.type is FieldType.date:
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if field.type is FieldType.choice:
        return next((label_of(o.label, lang) for o in field.options if o.value == value),
                    str(value))
    if field.type is FieldType.service:
        s = charter.service_by_slug.get(str(value))
        return f"{s.code} {label_of(s.title, lang)}" if s else str(value)
    if field.type is FieldType.office:
        o = charter.office_by_id.get(str(value))
        return label_of(o.name, lang) if o else str(value)
    if field.type is FieldType.comune:
        c = next((c for c in charter.district.comuni if c.id == value), None)
        return c.name if c else str(value)
    if field.type is FieldType.yes_no:
        return charter.t(lang, "print_yes") if value in ("si", "sì", "yes", True) else \
            charter.t(lang, "print_no")
    return str(value)


def grouped(charter: Charter, kind: str, service_slug: str | None, data: dict,
            secret: dict | None, lang: str) -> list[tuple[str, list[Row]]]:
    """``[(section title, rows)]`` as the citizen saw the form; health answers (``secret``)
    only when given (the caller decides who may see them).  Answers the form no longer
    knows are listed at the end under their ids, so nothing stored is hidden."""
    form = form_of(charter, kind)
    service = charter.service_by_slug.get(service_slug or "")
    answers = {**data, **(secret or {})}
    secret_keys = set(secret or {})
    used: set[str] = set()
    out: list[tuple[str, list[Row]]] = []
    for section in (form.sections if form else []):
        rows: list[Row] = []
        for f in section.fields:
            if f.type is FieldType.access_parameters:
                for p in applicable_parameters(charter, service):
                    for name, label in ((f"par-{p.id}", label_of(p.text, lang)),
                                        (f"par-{p.id}-minori", label_of(p.text, lang) + " — "
                                         + charter.t(lang, "form_minor_children"))):
                        if name in answers:
                            used.add(name)
                            value = answers[name]
                            if p.steps and str(value).isdigit() and int(value) < len(p.steps):
                                value = label_of(p.steps[int(value)].condition, lang)
                            rows.append(Row(label, _shown(charter, None, value, lang),
                                            name in secret_keys))
            elif f.id in answers:
                used.add(f.id)
                rows.append(Row(label_of(f.label, lang),
                                _shown(charter, f, answers[f.id], lang), f.id in secret_keys))
        if rows:
            out.append((label_of(section.title, lang), rows))
    rest = [Row(k, _shown(charter, None, v, lang), k in secret_keys)
            for k, v in answers.items() if k not in used]
    if rest:
        out.append((charter.t(lang, "bo_other_answers"), rest))
    return out


def service_label(charter: Charter, slug: str | None, lang: str) -> str:
    """``A3 Telesoccorso`` for a slug."""
    s = charter.service_by_slug.get(slug or "")
    return f"{s.code} {label_of(s.title, lang)}" if s else (slug or "")


def document_name(charter: Charter, service_slug: str | None, document: str, lang: str) -> str:
    """The name of an uploaded document (``doc-isee`` → the scheda's document name)."""
    s = charter.service_by_slug.get(service_slug or "")
    if s is not None:
        for i, d in enumerate(s.access.documents):
            if document == f"doc-{d.id or i}":
                return label_of(d.name, lang)
    if document == "doc-altri":
        return charter.t(lang, "bo_other_documents")
    if document.startswith("integrazione-"):  # the citizen's reply to a request for documents
        return charter.t(lang, "bo_reply_document")
    return document


def may_be_health_document(charter: Charter, service_slug: str | None, document: str) -> bool:
    """Whether an attachment may be a health document: the free "other documents" always
    (anything may be in them), a scheda's document when the charter marks it ``sensitive``."""
    if not document.startswith("doc-") or document == "doc-altri":
        return True
    s = charter.service_by_slug.get(service_slug or "")
    if s is None:
        return True
    for i, d in enumerate(s.access.documents):
        if document == f"doc-{d.id or i}":
            return bool(getattr(d, "sensitive", False))
    return True  # a document the scheda no longer lists: unknown, so protected


def download_name(protocol: str, document: str, filename: str) -> str:
    """``2026-0000123-isee.pdf``: protocol, document, the uploaded file's extension."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    ext = "".join(c for c in ext if c.isalnum())[:5] or "bin"
    return f"{protocol.replace('/', '-')}-{document.removeprefix('doc-')}.{ext}"


@dataclass
class Deadline:
    """A date the office must meet, in words."""

    key: str
    label: str
    due: dt.date
    working_days_left: int
    met: bool


def working_days_between(start: dt.date, end: dt.date, comune=None) -> int:
    """Working days after ``start`` up to ``end`` (negative when ``end`` is past)."""
    if end < start:
        return -working_days_between(end, start, comune)
    n, d = 0, start
    while d < end:
        d += dt.timedelta(days=1)
        n += is_working_day(d, comune)
    return n


def complaint_deadlines(charter: Charter, received: dt.date, comune_id: str | None
                        ) -> dict[str, dt.date]:
    """The complaint procedure's dates the charter states: call-in, meeting, answer (the
    Ufficio Tutela Utenti's decision), each in the unit the charter gives."""
    c = charter.complaints
    comune = next((x for x in charter.district.comuni if x.id == comune_id), None)
    out: dict[str, dt.date] = {}
    if getattr(c, "call_in_days", None):
        out["call_in"] = add_days(received, c.call_in_days)
    if getattr(c, "meeting_within_working_days", None):
        out["meeting"] = add_working_days(received, c.meeting_within_working_days, comune)
    if getattr(c, "user_protection_days", None):
        out["user_protection"] = add_days(received, c.user_protection_days)
    return out


def deadlines(charter: Charter, record, reached: set[str], lang: str) -> list[Deadline]:
    """The record's deadlines, complaint ones recomputed from the charter, in date order."""
    received = (record.created_at if record.created_at.tzinfo
                else record.created_at.replace(tzinfo=dt.UTC)).astimezone(ROME).date()
    dates = ({k: v for k, v in complaint_deadlines(charter, received, record.comune).items()}
             if record.kind == "reclamo" else
             {k: dt.date.fromisoformat(v) for k, v in (record.deadlines or {}).items()})
    service = charter.service_by_slug.get(record.service or "")
    now = today()
    out = []
    for key, due in dates.items():
        if key.startswith("quality-") and service is not None:
            i = int(key.split("-")[1]) - 1
            label = (label_of(service.quality[i].indicator, lang)
                     if i < len(service.quality) else key)
        else:
            label = charter.t(lang, f"bo_deadline_{key}")
        met = "conclusa" in reached or (key == "call_in" and "convocazione" in reached)
        out.append(Deadline(key, label, due, working_days_between(now, due), met))
    return sorted(out, key=lambda d: d.due)
