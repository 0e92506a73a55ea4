"""WTForms classes built from the charter's form definitions, and the checks the model implies.

One small factory per answer type (text, date, codice fiscale, comune …); every message comes
from the charter's interface strings in the citizen's language and names the field.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm
from stdnum.it import codicefiscale
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    BooleanField,
    FileField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Field as WTField
from wtforms.utils import unset_value

from carta.model.charter import Charter
from carta.model.rules import DateRange, FieldRole, FieldType, Form, FormPage, Parameter
from carta.model.service import DocumentKind, Service
from form_backend.mailaddr import valid_address
from form_backend.uploads import display_name

_PHONE = re.compile(r"^\+?[0-9][0-9 ./-]{5,20}$")
_DATE_IT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
PDF, JPEG, PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


class Messages:
    """Validation messages in one language, from the charter's interface strings."""

    def __init__(self, charter: Charter, lang: str):
        self.charter, self.lang = charter, lang

    def __call__(self, key: str, **values: Any) -> str:
        return self.charter.t(self.lang, key, **values)


def parse_date(value: str) -> dt.date:
    """A real date written 2025-12-31 (as browsers send it) or 31/12/2025."""
    value = (value or "").strip()
    m = _DATE_IT.match(value)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(value) from None


def file_kind(head: bytes) -> str | None:
    """The content type of an upload judged by its first bytes (not its name or header)."""
    if head.startswith(PDF):
        return "application/pdf"
    if head.startswith(JPEG):
        return "image/jpeg"
    if head.startswith(PNG):
        return "image/png"
    return None


def label_of(text, lang: str) -> str:
    """A Text label in ``lang`` (Italian when missing)."""
    return text.resolve(lang)[0]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _control_free(value: str) -> bool:
    return not any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value) and not any(
        0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in value)


def build_form(charter: Charter, definition: Form, lang: str,
               service: Service | None = None, upload_limits: tuple[int, int] = (5 << 20, 6),
               today: dt.date | None = None) -> type[FlaskForm]:
    """A FlaskForm subclass for ``definition`` in ``lang`` (CSRF included by Flask-WTF)."""
    msg = Messages(charter, lang)
    attrs: dict[str, Any] = {"_definition": definition, "_lang": lang, "_service": service,
                             "_charter": charter, "_msg": msg, "_today": today}
    order: list[str] = []
    required_docs: list[str] = []
    names: dict[str, list[str]] = {}  # field id → the form's field names it asks
    labels: dict[str, str] = {}  # name → label without marker (summary, messages)
    hints: dict[str, str] = {}
    optional = msg("form_optional")
    page_when = {fid: p.when.field for p in definition.steps() if p.when for fid in p.fields}
    for section in definition.sections:
        for f in section.fields:
            names[f.id] = []
            if f.type is FieldType.access_parameters:
                for name, field in _parameter_fields(charter, service, lang, msg):
                    attrs[name] = field
                    order.append(name)
                    names[f.id].append(name)
                    labels[name] = field.args[0]
                hints.update(_parameter_hints(charter, service, lang))
                continue
            if f.type is FieldType.service and service is not None:
                continue  # the scheda is chosen by the URL
            if f.type is FieldType.documents:
                for name, field, required, plain in _document_fields(service, lang, msg):
                    attrs[name] = field
                    order.append(name)
                    names[f.id].append(name)
                    labels[name] = plain
                    if required:
                        required_docs.append(name)
                continue
            # online, a plain question may stand for the printed label, which becomes its hint
            label = label_of(f.question or f.label, lang)
            printed = label_of(f.label, lang) if f.question else ""
            if printed and f.help and printed[-1] not in ".!?؟:":
                printed += "."
            hint = " ".join(x for x in (printed, label_of(f.help, lang) if f.help else "") if x)
            if hint:
                hints[f.id] = hint
            # required only on behalf of someone, on the page asked only then: required there
            shown = f"{label} *" if f.required or (
                f.required_if and f.required_if == page_when.get(f.id)) else (
                label if f.required_if else f"{label} {optional}")
            attrs[f.id] = FACTORIES[f.type](f, shown, charter, lang, service)
            kw = attrs[f.id].kwargs.setdefault("render_kw", {})
            token = autocomplete_of(f)
            if token and f.type is not FieldType.date:
                kw["autocomplete"] = token
            elif f.type is FieldType.date:
                kw["data-autocomplete"] = token or ""
            order.append(f.id)
            names[f.id].append(f.id)
            labels[f.id] = label
    attrs["website"] = StringField("website")  # honeypot: hidden from people, not from bots
    attrs["_order"] = order
    attrs["_required_docs"] = required_docs
    attrs["_names"] = names
    attrs["_labels"] = labels
    attrs["_hints"] = hints
    attrs["_kept"] = frozenset()  # documents already held by the draft (a page of it)
    attrs["_upload_limits"] = upload_limits
    return type(f"{definition.id.title()}Form", (CartaForm,), attrs)


class CartaForm(FlaskForm):
    """Validation across fields, driven by the definition and the scheda."""

    def __init__(self, *args: Any, **kwargs: Any):
        if not args and "formdata" not in kwargs and has_request_context() \
                and request.method == "POST":
            kwargs["formdata"] = self._submitted()
        super().__init__(*args, **kwargs)

    @classmethod
    def _submitted(cls) -> MultiDict:
        """The request's answers: text for text fields, files for file fields only.  A file
        sent in a text field is not an answer (that field stays empty, and says so), and a
        JSON body is never read as answers: browsers send forms, not JSON."""
        files = {name for name, unbound in cls._unbound_fields
                 if issubclass(unbound.field_class, FileField)}
        data = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k not in files])
        for name in files:
            for upload in request.files.getlist(name):
                data.add(name, upload)
        return data

    @classmethod
    def from_draft(cls, answers: dict[str, Any], files: Iterable) -> CartaForm:
        """The form filled in with a stored draft (answers as :meth:`answers` gave them, and
        attachment rows), ready to be validated again exactly as at the fill-in step."""
        data = MultiDict()
        for name, value in answers.items():
            data.add(name, "y" if value is True else str(value))
        for a in files:
            data.add(a.document, FileStorage(io.BytesIO(a.content), filename=a.filename,
                                             name=a.document, content_type=a.content_type))
        return cls(formdata=data, meta={"csrf": False})

    def page_names(self, page: FormPage) -> list[str]:
        """The form's field names a page asks, in order."""
        return [n for fid in page.fields for n in self._names.get(fid, [])]

    def inactive(self) -> set[str]:
        """Names whose question does not apply given the answers (``when:`` of the field or
        of its page not met): not asked, not required, not kept."""
        definition: Form = self._definition
        conds = {}
        for page in definition.steps():
            for fid in page.fields:
                conds[fid] = [c for c in (page.when,) if c]
        for f in definition.fields():
            if f.when:
                conds.setdefault(f.id, []).append(f.when)
        off: set[str] = set()
        for f in (f for p in definition.steps() for f in (
                definition_field(definition, fid) for fid in p.fields)):
            for cond in conds.get(f.id, []):
                given = self[cond.field].data if cond.field in self._fields else None
                met = cond.field not in off and cond.met(given)
                if not met:
                    off.add(f.id)
                    break
        return {n for fid in off for n in self._names.get(fid, [])}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        msg: Messages = self._msg
        today = self._today or dt.date.today()
        inactive = self.inactive()
        for name in inactive:  # a question that does not apply: its answer is dropped
            self[name].errors = []
            self[name].data = False if isinstance(self[name], BooleanField) else None
        ok = ok or not any(self[n].errors for n in self._fields if n not in inactive)
        fields = {f.id: f for f in self._definition.fields() if f.id not in inactive}
        by_id = {name: self[name] for name in self._order
                 if name in self._fields and name not in inactive}

        def fail(name: str, text: str) -> None:
            nonlocal ok
            if text not in by_id[name].errors:
                by_id[name].errors.append(text)
            ok = False

        for fid, spec in fields.items():
            if fid not in by_id:
                continue
            field, label = by_id[fid], self._labels.get(fid) or label_of(spec.label, self._lang)
            value = _strip(field.data)
            required = spec.required or (spec.required_if and by_id.get(spec.required_if)
                                         and bool(by_id[spec.required_if].data))
            if isinstance(value, str) and not _control_free(value):
                fail(fid, msg("err_characters", label=label))
                continue
            empty = value in (None, "", False)
            if required and empty and not field.errors:
                key = "err_required_choice" if spec.type in (
                    FieldType.comune, FieldType.service, FieldType.office, FieldType.choice,
                    FieldType.yes_no) else "err_required_check" if spec.type is \
                    FieldType.checkbox else "err_required"
                fail(fid, msg(key, label=label))
                continue
            if empty or field.errors:
                continue
            if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
                fail(fid, msg("err_too_long", label=label, max=spec.max_length))
            if spec.type is FieldType.date:
                try:
                    day = parse_date(value) if isinstance(value, str) else value
                except ValueError:
                    fail(fid, msg("err_date", label=label))
                    continue
                field.data = day.isoformat()
                if day.year < 1900:
                    fail(fid, msg("err_date", label=label))
                elif spec.dates is DateRange.past and day > today:
                    fail(fid, msg("err_date_future", label=label))
                elif spec.dates is DateRange.future and day < today:
                    fail(fid, msg("err_date_past", label=label))
            elif spec.type is FieldType.email and valid_address(value) is None:
                fail(fid, msg("err_email"))
            elif spec.type is FieldType.phone and not _PHONE.match(value):
                fail(fid, msg("err_phone"))
            elif spec.type is FieldType.codice_fiscale:
                code = re.sub(r"\s", "", value).upper()
                if re.fullmatch(r"\d{11}", code):
                    fail(fid, msg("err_cf_vat"))
                elif not codicefiscale.is_valid(code) or len(code) != 16:
                    fail(fid, msg("err_cf"))
                else:
                    field.data = code
            elif spec.type is FieldType.decimal:
                try:
                    number = Decimal(value.replace(".", "").replace(",", ".")
                                     if "," in value else value)
                    if number < 0 or number > Decimal("10000000"):
                        raise InvalidOperation
                    field.data = str(number)
                except (InvalidOperation, AttributeError):
                    fail(fid, msg("err_decimal", label=label))

        for fid, spec in fields.items():  # a birth date must agree with the codice fiscale
            cf_name = spec.birth_date_of
            if not cf_name or fid not in by_id or cf_name not in by_id:
                continue
            if by_id[fid].errors or by_id[cf_name].errors:
                continue
            if not by_id[fid].data or not by_id[cf_name].data:
                continue
            born = dt.date.fromisoformat(by_id[fid].data)
            try:
                from_code = codicefiscale.get_birth_date(by_id[cf_name].data)
            except Exception:
                continue
            if (from_code.month, from_code.day, from_code.year % 100) != (
                    born.month, born.day, born.year % 100):
                fail(cf_name, msg("err_cf_birth"))
            elif self._service and self._service.age and spec.role is FieldRole.birth_date:
                age = self._service.age
                months = (today.year - born.year) * 12 + today.month - born.month - (
                    today.day < born.day)
                value = months if age.unit.value == "months" else months // 12
                if (age.min is not None and value < age.min) or (
                        age.max is not None and value > age.max):
                    unit = msg("unit_months" if age.unit.value == "months" else "unit_years")
                    rng = " ".join(x for x in (
                        f"{msg('age_from')} {age.min}" if age.min is not None else "",
                        f"{msg('age_to')} {age.max}" if age.max is not None else "") if x)
                    fail(fid, msg("err_age", range=f"{rng} {unit}"))

        if self._definition.id == "reclamo":
            window = self._charter.complaints.filing_window_days
            for fid, spec in (fields.items() if window is not None else ()):  # stated only
                if spec.type is FieldType.date and spec.dates is DateRange.past \
                        and fid in by_id and by_id[fid].data and not by_id[fid].errors \
                        and spec.role is not FieldRole.birth_date:
                    day = dt.date.fromisoformat(by_id[fid].data)
                    if (today - day).days > window:
                        fail(fid, msg("err_complaint_window", days=window,
                                      date=day.strftime("%d/%m/%Y")))

        for name, field in self._fields.items():  # people counted for a parameter: 0–20
            if name.startswith("par-") and isinstance(field, IntegerField) \
                    and field.data is not None and not 0 <= field.data <= 20:
                field.errors.append(msg("err_count", label=field.label.text, max=20))
                ok = False
        if self._service:
            ok = self._check_uploads(msg, fail) and ok
        if self.website.data:
            ok = False  # the honeypot: the view answers 400 without saying why
        return ok

    def _check_uploads(self, msg: Messages, fail: Callable[[str, str], None]) -> bool:
        # each file is parsed (form_backend.uploads): what goes on is the cleaned file, with
        # its display name, never the bytes and name as sent
        import io

        from flask import current_app, has_app_context

        from form_backend.uploads import UploadRefused, check_upload

        clamd = current_app.config.get("CLAMD_SOCKET") if has_app_context() else None
        max_bytes, max_files = self._upload_limits
        count = 0
        for name, field in self._fields.items():
            if not name.startswith("doc-"):
                continue
            files = [x for x in (field.data if isinstance(field.data, list) else [field.data])
                     if x and getattr(x, "filename", "")]
            label = field.label.text
            label = self._labels.get(name, label)
            if not files and name in self._required_docs and name not in self._kept:
                fail(name, msg("err_file_missing", label=label))
            for upload in files:
                count += 1
                upload.stream.seek(0, 2)
                size = upload.stream.tell()
                upload.stream.seek(0)
                if size > max_bytes:
                    fail(name, msg("err_file_size", label=label, mb=max_bytes >> 20))
                    continue
                try:
                    clean = check_upload(upload.filename, upload.stream.read(),
                                         clamd_socket=clamd or None)
                except UploadRefused as refused:
                    fail(name, msg(refused.key, label=label))
                    continue
                upload.stream = io.BytesIO(clean.data)
                upload.filename = clean.name
        if count > max_files:
            first = next(n for n in self._fields if n.startswith("doc-"))
            fail(first, msg("err_file_count", n=max_files))
        return True

    def uploads(self) -> list[tuple[str, str, str, bytes]]:
        """The checked uploads as stored: (field, display name, content type, content)."""
        out = []
        for name, field in self._fields.items():
            if not isinstance(field, FileField):
                continue
            for upload in field.data if isinstance(field.data, list) else [field.data]:
                if isinstance(upload, FileStorage) and upload.filename:
                    upload.stream.seek(0)
                    out.append((name, *_cleaned(upload.filename, upload.stream.read())))
        return out

    def answers(self, only: Iterable[str] | None = None) -> dict[str, Any]:
        """Answers by field name, as stored (files excluded; ``only``: of these names)."""
        out = {}
        inactive = self.inactive()
        wanted = set(only) if only is not None else None
        for name in self._order:
            if name.startswith("doc-") or name in inactive or (
                    wanted is not None and name not in wanted):
                continue
            value = self[name].data
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, "", False):
                out[name] = value
        return out


def _cleaned(filename: str, content: bytes) -> tuple[str, str, bytes]:
    """(name to show, content type, bytes) of an upload _check_uploads accepted (its name is
    cleaned there already; cleaning is idempotent and cheap, so once more here)."""
    return display_name(filename), file_kind(content[:16]) or "", content


def _text(f, label, *_):
    return StringField(label, filters=[_strip])


def _textarea(f, label, *_):
    return TextAreaField(label, filters=[_strip])


class DateParts(StringField):
    """A date asked as day, month and year in three boxes (the GOV.UK pattern, no picker):
    sent as ``<name>-day``, ``-month``, ``-year``, or whole as ``<name>`` (2025-12-31 or
    31/12/2025, as a stored draft or an older page sends it)."""

    PARTS = ("day", "month", "year")

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and not self.raw_data:
            parts = [(formdata.get(f"{self.name}-{p}") or "").strip() for p in self.PARTS]
            if any(parts):
                self.raw_data = ["/".join(parts)]
                self.data = self.raw_data[0]

    def parts(self) -> tuple[str, str, str]:
        """(day, month, year) to show in the boxes: as typed, or from a stored date."""
        value = str(self.data or "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            y, m, d = value.split("-")
            return str(int(d)), str(int(m)), y
        bits = value.split("/")
        return tuple(bits) if len(bits) == 3 else ("", "", "")  # type: ignore[return-value]


def _date(f, label, *_):
    return DateParts(label, filters=[_strip])


def _email(f, label, *_):
    return StringField(label, filters=[_strip], render_kw={"type": "email", "dir": "ltr",
                                                          "spellcheck": "false"})


def _phone(f, label, *_):
    return StringField(label, filters=[_strip], render_kw={"type": "tel", "dir": "ltr"})


def _cf(f, label, *_):
    return StringField(label, filters=[_strip], render_kw={"autocapitalize": "characters",
                                                          "spellcheck": "false", "dir": "ltr"})


class _Answered:
    """A choice must be one of the charter's; no answer at all is left to the required check
    (which says "choose an answer" instead of "not a valid choice")."""

    def pre_validate(self, form) -> None:
        if self.data not in (None, ""):
            super().pre_validate(form)


class Radio(_Answered, RadioField):
    """Radio buttons checked against the charter's choices."""


class Select(_Answered, SelectField):
    """A drop-down checked against the charter's choices."""


def _select(label: str, choices: list, charter: Charter, lang: str, named: str) -> Select:
    """A drop-down whose answer must be one of ``choices`` (the charter's), or empty."""
    return Select(label, choices=[("", "—"), *choices], validate_choice=True,
                  invalid_choice_message=charter.t(lang, "err_choice", label=named))


def _comune(f, label, charter, lang, service):
    return _select(label, [(c.id, c.name) for c in charter.district.members()], charter, lang,
                   label_of(f.label, lang))


def _service(f, label, charter, lang, service):
    return _select(label, [(s.slug, f"{s.code} {label_of(s.title, lang)}")
                           for s in charter.services], charter, lang, label_of(f.label, lang))


def _office(f, label, charter, lang, service):
    return _select(label, [(o.id, label_of(o.name, lang)) for o in charter.offices], charter,
                   lang, label_of(f.label, lang))


def _indicator(f, label, charter, lang, service):
    choices = [(f"{s.slug}#{i}", f"{s.code} — {label_of(q.indicator, lang)}")
               for s in charter.services for i, q in enumerate(s.quality, 1)]
    return _select(label, choices, charter, lang, label_of(f.label, lang))


def _choice(f, label, charter, lang, service):
    return Radio(label, choices=[(o.value, label_of(o.label, lang)) for o in f.options],
                 invalid_choice_message=charter.t(lang, "err_choice",
                                                  label=label_of(f.label, lang)))


def _yes_no(f, label, charter, lang, service):
    return Radio(label, choices=[("si", charter.t(lang, "print_yes")),
                                 ("no", charter.t(lang, "print_no"))],
                 invalid_choice_message=charter.t(lang, "err_choice",
                                                  label=label_of(f.label, lang)))


def _checkbox(f, label, *_):
    return BooleanField(label)


FACTORIES: dict[FieldType, Callable[..., WTField]] = {
    FieldType.text: _text, FieldType.textarea: _textarea, FieldType.date: _date,
    FieldType.email: _email, FieldType.phone: _phone, FieldType.codice_fiscale: _cf,
    FieldType.comune: _comune, FieldType.service: _service, FieldType.office: _office,
    FieldType.indicator: _indicator, FieldType.choice: _choice, FieldType.yes_no: _yes_no,
    FieldType.checkbox: _checkbox, FieldType.decimal: _text,
}


def applicable_parameters(charter: Charter, service: Service | None) -> list[Parameter]:
    """The extra access parameters that apply to ``service`` (general ones and its own)."""
    if not charter.access_parameters or service is None:
        return []
    return [p for g in charter.access_parameters.groups
            if not g.services or service.slug in g.services for p in g.parameters]


def _parameter_fields(charter, service, lang, msg):
    for p in applicable_parameters(charter, service):
        label = label_of(p.question or p.text, lang)  # online, the plain question if any
        name = f"par-{p.id}"
        if p.steps:
            yield name, _select(label, [(str(i), label_of(s.condition, lang))
                                        for i, s in enumerate(p.steps)], charter, lang, label)
        elif p.per_person and p.points is not None:
            yield name, _count(label, msg)
        else:
            yield name, BooleanField(label)
        if p.extra_per_minor:
            if p.minors_question:
                minors = label_of(p.minors_question, lang)
            elif p.question:
                minors = msg("form_minor_children_question")
            else:
                minors = f"{label} — {msg('form_minor_children')}"
            yield f"{name}-minori", _count(minors, msg)


class RegulationHint(str):
    """A hint that is the regulation's wording behind a plain question: the form folds it
    away under "Testo del regolamento" (``regulation`` is what the template looks for)."""

    regulation = True


def _parameter_hints(charter, service, lang) -> dict[str, str]:
    """The regulation's words of each parameter asked as a plain question, as its hint."""
    return {f"par-{p.id}": RegulationHint(label_of(p.text, lang))
            for p in applicable_parameters(charter, service) if p.question}


def _count(label: str, msg: Messages) -> IntegerField:
    """How many people: a whole number from 0 to 20 (anything else gets the field's message,
    in the citizen's language)."""
    return IntegerField(label, default=0, invalid_value_message=msg("err_count", label=label,
                                                                    max=20),
                        render_kw={"min": 0, "max": 20, "inputmode": "numeric"})


def _document_fields(service, lang, msg):
    if service is None:
        return
    accept = {"accept": "application/pdf,image/jpeg,image/png"}
    for i, doc in enumerate(service.access.documents):
        if doc.kind is not DocumentKind.attachment:
            continue
        plain = label_of(doc.name, lang)
        yield f"doc-{doc.id or i}", FileField(f"{plain} *", render_kw=accept), True, plain
    plain = msg("form_other_documents")
    yield "doc-altri", MultipleFileField(f"{plain} {msg('form_optional')}",
                                         render_kw=accept), False, plain


# the autofill token a field's role implies, when the YAML names none (WCAG 1.3.5)
_ROLE_AUTOCOMPLETE = {"surname": "family-name", "given_name": "given-name", "full_name": "name",
                      "email": "email", "phone": "tel", "birth_date": "bday",
                      "address": "street-address"}


def autocomplete_of(spec) -> str | None:
    """The ``autocomplete`` token of a field: its own, else its role's, else by type."""
    if spec.autocomplete:
        return spec.autocomplete
    role = getattr(spec, "role", None)
    if role is not None and str(role.value) in _ROLE_AUTOCOMPLETE:
        return _ROLE_AUTOCOMPLETE[str(role.value)]
    return {FieldType.email: "email", FieldType.phone: "tel"}.get(spec.type)


def definition_field(definition: Form, fid: str):
    """The field ``fid`` of ``definition``."""
    return next(f for f in definition.fields() if f.id == fid)


def points(charter: Charter, service: Service | None, answers: dict[str, Any]) -> tuple[int, bool]:
    """Points of the declared access parameters, and whether health data was declared."""
    total, sensitive = 0, False
    for p in applicable_parameters(charter, service):
        name = f"par-{p.id}"
        value = answers.get(name)
        if value in (None, "", 0, False, "0") and not answers.get(f"{name}-minori"):
            continue
        sensitive = sensitive or p.sensitive
        if p.steps and value not in (None, ""):
            total += p.steps[int(value)].points
        elif p.per_person and p.points is not None:
            total += p.points * int(value or 0)
        elif p.points is not None and value:
            total += p.points
        if p.extra_per_minor:
            total += p.extra_per_minor * int(answers.get(f"{name}-minori") or 0)
    return total, sensitive


__all__ = ["CartaForm", "DateParts", "autocomplete_of", "build_form", "parse_date", "points"]
