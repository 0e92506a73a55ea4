"""``carta new DIR``: the smallest charter that checks, builds, prints and serves.

One district with one comune, one area, one office, one scheda, the reclamo form and the
complaint procedure, in Italian; the site and forms are offered in it, en, fr and ar with
carta's default interface strings (text not yet translated is shown in Italian with a notice).
Every value is a placeholder that says what to write there, so nothing is invented: the
editor replaces it before publishing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

_SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

_FILES: dict[str, str] = {
    "content/district.yaml": """\
# The district (Ambito), its comuni and the languages of the site. Text may also be written
# {{it: …, en: …, fr: …, ar: …}}; Italian is required, other languages fall back to it.
name: {name}
short_name: {name}
edition: {today}
languages: [it, en, fr, ar]
capofila: comune-capofila
ufficio_di_piano:
  address: Indirizzo dell'Ufficio di Piano (da completare)
  email: [ufficio.piano@example.org]
comuni:
  - id: comune-capofila
    name: Comune capofila (da completare)
""",
    "content/areas.yaml": """\
# Areas of intervention: a code letter (the schede's codes start with it) and a print colour
# dark enough for white text.
areas:
  - code: A
    slug: area-da-completare
    name: Area di intervento (da completare)
    colour: "#1F5F7A"
""",
    "content/offices.yaml": """\
# Offices where citizens ask, apply and complain, with their weekly opening hours.
offices:
  - id: sportello
    kind: sportello
    name: Sportello sociale (da completare)
    comune: comune-capofila
    address: Indirizzo dello sportello (da completare)
    email: [sportello@example.org]
    accepts_complaints: true
    hours:
      - days: [mon, wed]
        opens: "09:00"
        closes: "12:00"
""",
    "content/complaints.yaml": """\
# The complaint procedure. Write only the numbers your charter states: each is optional, and
# carta publishes and enforces only what is written here. Uncomment and replace:
# filing_window_days: 30            # days after the fact within which a complaint is accepted
# call_in_days: 10                  # days to call the complainant in
# meeting_within_working_days: 30   # working days to meet them
# urgent_action_days: 5
# suspension_max_working_days: 10
# compensation_min: 50              # euro
# compensation_max: 500
# user_protection_days: 30
channels:
  - allo sportello
  - online con il modulo di reclamo
offices: [sportello]
""",
    "content/forms.yaml": """\
# The online forms and their printable twins. The reclamo is the complaint form.
forms:
  - id: reclamo
    code: MOD. R-01
    title: Modulo di reclamo
    sections:
      - id: reclamante
        title: Chi presenta il reclamo
        fields:
          - {{id: nome, label: Nome, type: text, required: true, max_length: 80}}
          - {{id: cognome, label: Cognome, type: text, required: true, max_length: 80}}
          - {{id: email, label: E-mail, type: email, required: true}}
          - {{id: telefono, label: Telefono, type: phone}}
      - id: reclamo
        title: Il reclamo
        fields:
          - {{id: servizio, label: Servizio interessato, type: service}}
          - {{id: data-disservizio, label: Data del disservizio, type: date, dates: past,
             required: true}}
          - {{id: descrizione, label: Descrizione, type: textarea, required: true,
             max_length: 4000}}
          - {{id: privacy, label: Ho letto l'informativa sulla privacy, type: checkbox,
             required: true}}
    privacy: >-
      I dati personali sono trattati dal Comune capofila solo per istruire il reclamo e
      rispondere, nel rispetto del Regolamento (UE) 2016/679. (Da completare.)
""",
    "services/servizio-da-completare.yaml": """\
# One scheda per file: the file name is the slug, the page's URL and the form id.
code: A1
area: A
title: Servizio (da completare)
status: active
summary: Una frase che dice a chi serve il servizio e che cosa offre.
what: Che cosa è il servizio e che cosa fa.
where: Dove si svolge il servizio.
who_for: A chi è rivolto il servizio.
cost:
  text: Gratuito
  free: true
responsible:
  role: Responsabile del servizio (da completare)
operator:
  text: Chi gestisce il servizio (da completare)
access:
  type: Accesso diretto
  how: Come si chiede il servizio.
  contact: Sportello sociale
  offices: [sportello]
quality:
  - indicator: Tempo di risposta a una richiesta di informazioni
    standard: Entro 5 giorni lavorativi (da completare)
revised: {today}
""",
}


def scaffold(target: Path, name: str = "Nuovo Ambito", today: dt.date | None = None) -> list[Path]:
    """Write a minimal charter under ``target`` (which must be empty or absent); return the
    files written. Raises FileExistsError when ``target`` already holds files."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty: carta new writes only into a new folder")
    values = {"name": json.dumps(name, ensure_ascii=False), "today": (today or dt.date.today())}
    written = []
    for rel, text in _FILES.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_schema_line(target, rel) + text.format(**values), encoding="utf-8")
        written.append(path)
    ignore = target / ".gitignore"
    ignore.write_text("# build output and the backend's database: never committed\n"
                      "site/\nbuild/\ninstance/\n", encoding="utf-8")
    return [*written, ignore]


def _schema_line(target: Path, rel: str) -> str:
    """The editors' schema comment, when carta runs from a checkout that has ``schema/``."""
    from carta.export.schema import schema_for

    name = schema_for(rel)
    if not name or not (_SCHEMA_DIR / name).exists():
        return ""
    where = os.path.relpath(_SCHEMA_DIR / name, (target / rel).resolve().parent)
    return f"# yaml-language-server: $schema={Path(where).as_posix()}\n"
