"""The e-mails a citizen receives, in the language they used: confirmation, status change,
the save-and-return link.  Rendered from Jinja2 text templates (``templates/email/*.txt``)
with the interface strings, facts formatted by :mod:`carta.present`.

What they never carry: answers, names, codice fiscale, health or disability data, the scheda
applied for (a disability service's name says enough), the office's message itself (free text
the office wrote: the citizen reads it on the status page).  E-mail crosses servers the
district does not run; the link and the protocol number are what the citizen needs.

Rendered outside Flask's request context (the confirmation is written by the group-commit
writer's thread, once the protocol number exists): a plain Jinja2 environment, no autoescape
(plain text), every variable required.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from carta import present
from carta.model.charter import Charter
from carta.model.service import Service
from form_backend.mailaddr import valid_address

ROME = ZoneInfo("Europe/Rome")
_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates" / "email"),
                   autoescape=False, undefined=StrictUndefined, trim_blocks=True,
                   lstrip_blocks=True, keep_trailing_newline=True)


def email_fields(definition: dict, answers: dict) -> list[str]:
    """The ids of a stored form definition's e-mail fields the citizen wants written to, in
    form order: the backend finds the address by the field's type, never by its id, and an
    address asked only when a box is ticked (``required_if``: "I want a copy by e-mail") is
    written to only when it was."""
    return [f["id"] for s in definition.get("sections", []) for f in s.get("fields", [])
            if f.get("type") == "email"
            and (not f.get("required_if") or answers.get(f["required_if"]))]


def recipients(definition: dict, answers: dict, also: str | None = None) -> list[str]:
    """Every distinct valid address the citizen gave (the beneficiary's, the applicant's on
    their behalf), at most three; an address that is not exactly one address is dropped."""
    found: list[str] = []
    for value in [*(answers.get(name) for name in email_fields(definition, answers)), also]:
        address = valid_address(value) if value else None
        if address and address.lower() not in {a.lower() for a in found}:
            found.append(address)
    return found[:3]


def status_link(base: str, key: str, lang: str) -> str:
    """The status page's absolute address, or "" when no public address is known."""
    return f"{base.rstrip('/')}/ricevuta/{key}?lang={lang}" if base else ""


def moment(value: dt.datetime, lang: str) -> str:
    """A moment in Europe/Rome time: the date as ``present.date`` writes it, and the time."""
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ROME)
    return f"{present.date(local.date(), lang)} {present.time(local.time(), lang)}"


def deadline_rows(charter: Charter, lang: str, deadlines: dict[str, str],
                  service: Service | None) -> list[tuple[str, str]]:
    """(what, by when) for a record's deadlines, earliest first, in ``lang``."""
    rows = []
    for name, day in sorted(deadlines.items(), key=lambda x: x[1]):
        date = present.date(dt.date.fromisoformat(day), lang)
        if name.startswith("quality-"):
            index = int(name.split("-")[1]) - 1
            if service is None or index >= len(service.quality):
                continue
            rows.append((present.shown(service.quality[index].indicator, lang).text, date))
        else:
            rows.append((charter.t(lang, f"receipt_{name}"), date))
    return rows


def status_name(charter: Charter, lang: str, status: str) -> str:
    """A status as the citizen reads it (``in-istruttoria`` → "In esame")."""
    return charter.t(lang, f"follow_status_{status.replace('-', '_')}")


def _render(template: str, charter: Charter, lang: str, **values) -> tuple[str, str]:
    def t(key: str, **more) -> str:
        return charter.t(lang, key, **more)

    text = _ENV.get_template(template).render(t=t, lang=lang, **values)
    subject, _, body = text.partition("\n")
    return subject.strip()[:300], body.lstrip("\n")


def confirmation(charter: Charter, lang: str, kind: str, protocol: str,
                 received: dt.datetime, deadlines: dict[str, str], service: Service | None,
                 link: str) -> tuple[str, str]:
    """(subject, body) of the confirmation of a domanda or reclamo."""
    promises = [d.text for d in present.complaint_deadlines(charter, lang)] \
        if kind == "reclamo" else []
    return _render("received.txt", charter, lang, kind=kind, protocol=protocol,
                   received=moment(received, lang),
                   deadlines=deadline_rows(charter, lang, deadlines, service),
                   promises=promises, link=link,
                   district=charter.district.short_name.resolve(lang)[0])


def status_changed(charter: Charter, lang: str, kind: str, protocol: str, status: str,
                   has_message: bool, link: str, survey: str = "") -> tuple[str, str]:
    """(subject, body) of the notice of a status change; ``survey``: the satisfaction
    questionnaire's link, offered when the case is closed."""
    return _render("status.txt", charter, lang, kind=kind, protocol=protocol,
                   status=status_name(charter, lang, status), asks=status ==
                   "integrazione-richiesta", has_message=has_message, link=link,
                   survey=survey, district=charter.district.short_name.resolve(lang)[0])


def saved(charter: Charter, lang: str, title: str, link: str,
          until: dt.datetime) -> tuple[str, str]:
    """(subject, body) of the save-and-return e-mail."""
    return _render("saved.txt", charter, lang, title=title, link=link,
                   until=moment(until, lang),
                   district=charter.district.short_name.resolve(lang)[0])
