"""One factory that writes a small, valid charter folder for unit tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

BASE: dict[str, Any] = {
    "content/district.yaml": {
        "name": "Ambito di prova",
        "short_name": "Prova",
        "edition": "2024-01-01",
        "languages": ["it", "en"],
        "capofila": "alfa",
        "ufficio_di_piano": {"address": "Via Roma 1, Alfa"},
        "comuni": [
            {"id": "alfa", "name": "Alfa", "patron": {"saint": "San Primo", "day": "06-13"}},
            {"id": "beta", "name": "Beta"},
        ],
    },
    "content/areas.yaml": {"areas": [
        {"code": "A", "slug": "famiglia", "name": "Famiglia", "colour": "#A3245E"},
        {"code": "B", "slug": "anziani", "name": "Anziani", "colour": "#1D6A96"},
    ]},
    "content/offices.yaml": {"offices": [
        {"id": "alfa", "kind": "servizi-sociali", "name": "Ufficio di Alfa", "comune": "alfa",
         "hours": [{"days": ["mon", "wed"], "opens": "11:00", "closes": "13:30"},
                   {"days": ["mon"], "opens": "16:30", "closes": "17:30"}]},
        {"id": "piano", "kind": "ufficio-di-piano", "name": "Ufficio di Piano"},
    ]},
    "content/tariffs.yaml": {"tariffs": [
        {"id": "telesoccorso", "name": "Telesoccorso", "text": "€ 27,31 al mese",
         "prices": [{"amount": "27.31", "per": "month"}]},
    ]},
    "content/providers.yaml": {"providers": [
        {"id": "coop", "name": "Coop sociale", "contact": {"phones": ["081 1234567"]}},
    ]},
    "content/bands.yaml": {"reference": "Minimo vitale", "bands": [
        {"id": "prima", "tier": 1, "name": "1ª fascia", "isee_min_pct": 0, "isee_max_pct": 100},
        {"id": "seconda", "tier": 2, "name": "2ª fascia", "isee_min_pct": 101},
    ]},
    "content/complaints.yaml": {
        "filing_window_days": 15, "call_in_days": 5, "meeting_within_working_days": 30,
        "urgent_action_days": 5, "suspension_max_working_days": 30,
        "compensation_min": 100, "compensation_max": 300, "user_protection_days": 40,
        "channels": ["e-mail"], "offices": ["servizi-sociali"],
    },
    "content/forms.yaml": {"forms": [
        {"id": "domanda", "code": "MOD. 1", "title": "Domanda", "privacy": "Privacy",
         "sections": [{"id": "dati", "title": "Dati", "fields": [
             {"id": "nome", "label": "Nome", "type": "text", "required": True}]}]},
        {"id": "reclamo", "code": "MOD. 2", "title": "Reclamo", "privacy": "Privacy",
         "sections": [{"id": "dati", "title": "Dati", "fields": [
             {"id": "nome", "label": "Nome", "type": "text"}]}]},
    ]},
    "services/telesoccorso.yaml": {
        "code": "B1", "area": "B",
        "title": {"it": "Telesoccorso", "en": "Telecare"},
        "summary": "Un apparecchio collega a una centrale attiva giorno e notte.",
        "what": "Collegamento con una centrale operativa.",
        "where": "A domicilio.", "who_for": "Persone anziane.",
        "cost": {"text": "Compartecipazione", "tariff": "telesoccorso"},
        "responsible": {"role": "Responsabile", "office": "piano"},
        "operator": {"text": "Affidato a terzi", "outsourced": True, "providers": ["coop"]},
        "access": {"type": "Differito", "how": "Con domanda", "contact": "Ufficio",
                   "offices": ["servizi-sociali"], "online_application": True,
                   "documents": [{"name": "ISEE", "id": "isee"}]},
        "quality": [{"indicator": "Tempo d'intervento", "standard": "Entro 45 minuti",
                     "target": {"value": 45, "unit": "minutes", "comparison": "at_most"}}],
        "revised": "2024-01-01",
    },
}


REPO = Path(__file__).resolve().parent.parent


def _write(root: Path, template: dict[str, Any], changes: dict[str, Any] | None) -> None:
    """Write ``template``'s files under ``root``, ``changes`` replacing whole files (None
    deletes)."""
    files = copy.deepcopy(template)
    for rel, data in (changes or {}).items():
        if data is None:
            files.pop(rel, None)
        else:
            files[rel] = data
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")


def write_charter(root: Path, changes: dict[str, Any] | None = None,
                  raw: dict[str, str] | None = None) -> Path:
    """Write the base charter under ``root``; ``changes`` replaces whole files (None deletes),
    ``raw`` writes files as literal text (to test positions and YAML syntax)."""
    _write(root, BASE, changes)
    for lang in ("it", "en"):  # the product's interface strings, as shipped
        src = REPO / "content" / "strings" / f"{lang}.yaml"
        dst = root / "content" / "strings" / f"{lang}.yaml"
        if src.exists() and f"content/strings/{lang}.yaml" not in (raw or {}):
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    for rel, text in (raw or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def base(rel: str) -> Any:
    """A deep copy of one file of the base charter, to change in a test."""
    return copy.deepcopy(BASE[rel])


# A thin charter, as a real district may write one: one itinerant desk run by a cooperative
# across four comuni, no tariffs, bands or access parameters, no complaint deadlines or
# compensation, no capofila, no codes or colours, no staff names, no interface strings.
THIN: dict[str, Any] = {
    "content/district.yaml": {
        "name": "Distretto sottile",
        "short_name": "Sottile",
        "edition": "2025-03-01",
        "languages": ["it", "en", "fr", "ar"],
        "comuni": [{"id": "alfa", "name": "Alfa"}, {"id": "beta", "name": "Beta"},
                   {"id": "gamma", "name": "Gamma"}, {"id": "delta", "name": "Delta"}],
    },
    "content/areas.yaml": {"areas": [{"slug": "immigrazione", "name": "Immigrazione"}]},
    "content/offices.yaml": {"offices": [
        {"id": "sportello", "kind": "sportello-immigrati", "name": "Sportello itinerante",
         "comuni": ["alfa", "beta", "gamma", "delta"],
         "rotation": [
             {"comune": "alfa", "days": ["mon"], "opens": "09:00", "closes": "12:30",
              "place": "Municipio"},
             {"comune": "beta", "days": ["wed"], "opens": "15:00", "closes": "18:00"},
             {"comune": "gamma", "days": ["fri"], "opens": "09:30", "closes": "11:45",
              "note": "prima e terza settimana del mese"},
         ],
         "by_appointment": {"phones": ["0999 111 222"], "note": "per Delta"},
         "staff": [{"role": "Mediatrice culturale", "tasks": ["Traduce i colloqui"]}]},
    ]},
    "content/complaints.yaml": {"channels": ["Di persona allo sportello"],
                                "offices": ["sportello"]},
    "content/forms.yaml": {"forms": [
        {"id": "reclamo", "code": "MOD. R", "title": "Reclamo", "privacy": "Privacy",
         "sections": [{"id": "dati", "title": "Dati", "fields": [
             {"id": "nome", "label": "Cognome e nome", "type": "text", "required": True},
             {"id": "testo", "label": "Reclamo", "type": "textarea", "required": True}]}]},
    ]},
    "services/sportello-immigrati.yaml": {
        "area": "immigrazione",
        "title": "Sportello per cittadini stranieri",
        "summary": "Informazioni e accompagnamento per chi arriva da un altro paese.",
        "what": "Ascolto, orientamento e accompagnamento ai servizi del territorio.",
        "where": "Nei municipi dei comuni del distretto, a rotazione.",
        "who_for": "Cittadini stranieri e le loro famiglie.",
        "cost": {"text": "Gratuito", "free": True},
        "responsible": {"role": "Coordinatrice del servizio"},
        "operator": {"text": "Cooperativa sociale"},
        "access": {"type": "Diretto", "how": "Presentati allo sportello", "contact": "Sportello",
                   "offices": ["sportello"]},
        "parts": [{"title": "Permesso di soggiorno", "body": "Aiuto con le pratiche.",
                   "items": ["Compilazione dei moduli", "Prenotazione in questura"]},
                  {"title": "Lavoro", "items": ["Curriculum", "Centri per l'impiego"]}],
        "staff_roles": [{"role": "Mediatore linguistico", "count": 2,
                         "tasks": ["Traduce", "Accompagna agli uffici"]}],
        "partners": [{"name": "Associazione Ponti", "role": "Corsi di italiano"}],
        "referrals": [{"name": "Centro per l'impiego", "comune": "Alfa",
                       "phones": ["0999 333 444"]}],
        "revised": "2025-03-01",
    },
}


def write_thin(root: Path, changes: dict[str, Any] | None = None) -> Path:
    """Write the thin charter under ``root`` (no interface strings: carta's defaults);
    ``changes`` replaces whole files (None deletes)."""
    _write(root, THIN, changes)
    return root
