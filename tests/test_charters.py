"""Every shipped kind of charter goes through check, build and a complete reclamo, and nothing
of one charter appears in another's output: the shipped charter, examples/accoglienza, a
charter made by ``carta new`` (which has no strings of its own) and a thin one (one itinerant
desk; no tariffs, bands, parameters, complaint deadlines, codes, colours or strings)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from stdnum.it import codicefiscale

from carta.load.charter import load_charter
from carta.model.rules import DateRange, FieldType
from carta.scaffold import scaffold
from tests.factory import REPO, write_thin

NAPOLI = ["Napoli", "081 878 55 42", "8785542", "F839", "Sorrento", "Tutela Utenti",
          "Coordinatore dell", "Ufficio Servizi Sociali"]
EXAMPLE = ["Ambito di esempio", "Example district", "0999 0000"]
NEW = ["Nuovo Ambito", "da completare"]
THIN = ["Distretto sottile", "Sportello itinerante"]
# what each charter's output must never carry: the phrases of the other charters
FOREIGN = {"shipped": EXAMPLE + NEW + THIN, "accoglienza": NAPOLI + NEW + THIN,
           "new": NAPOLI + EXAMPLE + THIN, "thin": NAPOLI + EXAMPLE + NEW}
CHARTERS = list(FOREIGN)
TODAY = dt.date.today()


def make(kind: str, where: Path) -> Path:
    """A copy of the charter ``kind`` under ``where`` (commands may write beside it)."""
    root = where / kind
    if kind == "new":
        scaffold(root)
        return root
    if kind == "thin":
        return write_thin(root)
    source = REPO if kind == "shipped" else REPO / "examples" / "accoglienza"
    for folder in ("content", "services"):
        shutil.copytree(source / folder, root / folder)
    return root


@pytest.fixture(scope="module", params=CHARTERS)
def charter_root(request, tmp_path_factory) -> tuple[str, Path]:
    return request.param, make(request.param, tmp_path_factory.mktemp("charters"))


def carta(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carta", *args], capture_output=True,
                          text=True, timeout=600)


def foreign_in(kind: str, text: str) -> list[str]:
    return [phrase for phrase in FOREIGN[kind] if phrase in text]


def test_check_passes_with_nothing_to_note(charter_root):
    _, root = charter_root
    result = carta("check", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ") and result.stderr == ""


@pytest.mark.system
def test_site_builds_without_another_charters_text(charter_root, tmp_path):
    kind, root = charter_root
    site = tmp_path / "site"
    result = carta("build", "--root", str(root), "--site-dir", str(site), "--no-pdf")
    assert result.returncode == 0, result.stderr[-3000:]
    leaks = {str(f.relative_to(site)): found for f in site.rglob("*")
             if f.suffix in (".html", ".json", ".xml", ".txt")
             and (found := foreign_in(kind, f.read_text(encoding="utf-8", errors="replace")))}
    assert leaks == {}


# --- a complete reclamo through the backend ----------------------------------------------------

def app_for(root: Path, tmp_path: Path):
    from form_backend import create_app

    app = create_app({
        "CARTA_ROOT": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "TESTING": True, "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "OUTBOX_SENDER": False, "SECRET_KEY": "test", "OFFICE_EMAIL": "ufficio@example.net",
        "CARTA_SITE_DIR": str(tmp_path / "no-site"), "RATELIMIT_SUBMIT": "1000 per minute"})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # show the 500 page as a citizen sees it

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("a fault the citizen must not see")

    return app


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    values = re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if select else []
    values += re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return [v for v in values if v]


def answers(charter, html: str) -> dict[str, str]:
    """Valid answers to every field of the charter's reclamo, chosen by the field's type."""
    form = charter.form_by_id["reclamo"]
    born = dt.date(1980, 1, 1)
    cf = "RSSMRA80A01Z404"
    out = {}
    for f in form.fields():
        if f.type in (FieldType.text, FieldType.textarea):
            out[f.id] = "Prova"
        elif f.type is FieldType.date:
            if f.birth_date_of:  # must match the codice fiscale below
                out[f.id] = born.isoformat()
            elif f.dates is DateRange.future:
                out[f.id] = (TODAY + dt.timedelta(days=400)).isoformat()
            else:
                out[f.id] = (TODAY - dt.timedelta(days=1)).isoformat()
        elif f.type is FieldType.email:
            out[f.id] = "persona@example.net"
        elif f.type is FieldType.phone:
            out[f.id] = "0123 456789"
        elif f.type is FieldType.codice_fiscale:
            out[f.id] = cf + codicefiscale.calc_check_digit(cf)
        elif f.type is FieldType.checkbox:
            out[f.id] = "y"
        elif f.type is FieldType.yes_no:
            out[f.id] = "si"
        elif f.type is FieldType.decimal:
            out[f.id] = "100"
        elif options := _options(html, f.id):
            out[f.id] = options[0]
    return out


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.system
def test_a_complete_reclamo_in_every_language_and_no_5xx(charter_root, tmp_path):
    kind, root = charter_root
    charter = load_charter(root)
    app = app_for(root, tmp_path)
    client = app.test_client()
    seen: list[str] = []

    def get(path: str, ok=(200,)) -> str:
        response = client.get(path)
        assert response.status_code in ok, (path, response.status_code)
        seen.append(response.get_data(as_text=True))
        return seen[-1]

    for lang in charter.district.languages:
        page = get(f"/reclamo?lang={lang}")
        assert f'lang="{lang}"' in page
        first = client.post(f"/reclamo?lang={lang}",
                            data={**answers(charter, page), "csrf_token": _token(page)})
        assert first.status_code == 303, re.findall(r'<li><a href="#[^"]+">([^<]+)</a>',
                                                      first.get_data(as_text=True))
        check = get(first.headers["Location"])
        done = client.post(first.headers["Location"].split("?")[0],
                           data={"csrf_token": _token(check)})
        assert done.status_code == 303, done.status_code
        receipt = get(done.headers["Location"])
        assert charter.t(lang, "receipt_title_reclamo") in receipt.replace("&#39;", "'")
        get("/non-esiste", ok=(404,))
        assert client.get("/_test/boom").status_code == 500
        seen.append(client.get("/_test/boom").get_data(as_text=True))
        assert charter.t(lang, "err_500_title") in seen[-1].replace("&#39;", "'")
        for service in charter.services:
            get(f"/domanda/{service.slug}", ok=(200, 404))
        get("/ufficio/login")
    leaks = [found for text in seen if (found := foreign_in(kind, text))]
    assert leaks == []


# --- carta new --------------------------------------------------------------------------------

def test_carta_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    result = carta("new", str(tmp_path))
    assert result.returncode == 1 and "is not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_carta_new_writes_a_charter_with_no_strings_of_its_own(tmp_path):
    result = carta("new", str(tmp_path / "ambito"), "--name", "Ambito Nord")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "ambito"
    assert not (root / "content" / "strings").exists()
    charter = load_charter(root)
    assert charter.district.short_name.it == "Ambito Nord"
    assert charter.district.languages == ["it", "en", "fr", "ar"]
    assert charter.string_overrides == {} and charter.form_by_id["reclamo"]


def test_carta_new_files_point_to_their_schema_and_pass_it(tmp_path):
    import jsonschema
    import yaml

    from carta.export.schema import schema_files, schema_for
    from tests.test_schema import as_language_server_reads

    root = tmp_path / "ambito"
    for file in scaffold(root):
        rel = file.relative_to(root).as_posix()
        if not rel.endswith(".yaml"):
            continue
        first = file.read_text(encoding="utf-8").splitlines()[0]
        target = re.match(r"^# yaml-language-server: \$schema=(\S+)$", first).group(1)
        assert (file.parent / target).resolve() == REPO / "schema" / schema_for(rel)
        jsonschema.validate(as_language_server_reads(yaml.compose(file.read_text(encoding="utf-8"))),
                            schema_files()[schema_for(rel)])


@pytest.mark.system
@pytest.mark.parametrize("lang", ["it", "en", "fr", "ar"])
def test_carta_new_prints(tmp_path, lang):
    root = tmp_path / "ambito"
    scaffold(root)
    out = tmp_path / "pdf"
    result = carta("print", "--root", str(root), "--out", str(out), "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "carta.pdf", "modulo-reclamo.pdf", "servizio-da-completare.pdf"]


def test_carta_new_states_no_complaint_deadline_of_its_own(tmp_path):
    """A new charter publishes no invented guarantee: every complaint number is left for the
    editor to write, so nothing is printed or enforced until they do."""
    scaffold(tmp_path / "new")
    c = load_charter(tmp_path / "new").complaints
    assert (c.filing_window_days, c.call_in_days, c.meeting_within_working_days,
            c.compensation_min, c.compensation_max) == (None,) * 5


def test_check_says_which_role_a_form_lacks_for_a_copy_by_email(tmp_path):
    import copy

    from tests.factory import THIN

    forms = copy.deepcopy(THIN["content/forms.yaml"])
    forms["forms"][0]["sections"][0]["fields"].append(
        {"id": "copia", "label": "Voglio una copia", "type": "checkbox", "role": "copy_request"})
    root = write_thin(tmp_path / "thin", {"content/forms.yaml": forms})
    result = carta("check", "--root", str(root))
    assert result.returncode == 1
    assert "content/forms.yaml:" in result.stderr and "role 'email'" in result.stderr


@pytest.mark.system
def test_every_charter_prints_without_another_charters_text(charter_root, tmp_path):
    from pypdf import PdfReader

    kind, root = charter_root
    out = tmp_path / "pdf"
    result = carta("print", "--root", str(root), "--lang", "it", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    binder = PdfReader(out / "carta.pdf")
    text = "\n".join(page.extract_text() or "" for page in binder.pages)
    assert foreign_in(kind, text) == []
    assert not re.search(r"(?<![\d,.])0 giorni|€ 0,00|\bNone\b", text)
