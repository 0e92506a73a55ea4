"""What the tests and the stress harness send: real files and complete, valid answers for the
shipped charter's forms (each test changes only what it is about)."""

from __future__ import annotations

import datetime as dt

from stdnum.it import codicefiscale

# a real one-page PDF (uploads are parsed: a file that does not open is refused)
PDF = (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
       b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n"
       b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000054 00000 n \n"
       b"0000000105 00000 n \ntrailer <</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
CF = "RSSMRA80A01F839W"  # born 1 January 1980
TODAY = dt.date.today()


def cf_born(day: dt.date, sex_offset: int = 0) -> str:
    """A valid codice fiscale for someone born on ``day``."""
    months = "ABCDEHLMPRST"
    body = f"BNCLCU{day.year % 100:02d}{months[day.month - 1]}{day.day + sex_offset:02d}F839"
    return body + codicefiscale.calc_check_digit(body)


def domanda(**overrides) -> dict:
    data = {"cognome": "Rossi", "nome": "Mario", "luogo-nascita": "Napoli",
            "data-nascita": "1980-01-01", "cittadinanza": "italiana",
            "documento-tipo": "carta d'identità", "documento-numero": "CA12345",
            "documento-scadenza": (TODAY + dt.timedelta(days=400)).isoformat(),
            "codice-fiscale": CF, "indirizzo": "Via Roma 1", "comune": "sorrento",
            "telefono": "081 1234567", "email": "mario@example.org", "nuovo-utente": "si",
            "dichiarazione-dpr445": "y", "privacy": "y", "isee": "7500,50"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def reclamo(**overrides) -> dict:
    data = {"nome": "Anna", "cognome": "Bianchi", "comune-residenza": "Sorrento",
            "indirizzo": "Via Capo 2", "telefono": "081 7654321", "email": "anna@example.org",
            "servizio": "telesoccorso", "data-disservizio": (TODAY - dt.timedelta(days=3)).isoformat(),
            "descrizione": "L'operatore non è arrivato.", "privacy": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
