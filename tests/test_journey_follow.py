"""Issue 15, part B: after the receipt.  The citizen's e-mails (in their language, no personal
data), the status page with its history, the reply to a request for documents, save and
return, the ease-of-use question; then the whole journey in Chromium on a phone."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import logging
import re
import shutil
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from carta import present
from form_backend import citizen_mail
from form_backend.db import Attachment, AuditEvent, Draft, Outbox, Submission
from form_backend.follow import EMAIL_KEYS, ease_counts, notify_status_change
from form_backend.follow_db import DraftSave, EaseGiven, EaseRating
from form_backend.outbox import SmtpSettings, deliver_due
from tests.servers import free_port, http_server, smtp_sink
from tests.test_backend import (  # noqa: F401
    CF,
    PDF,
    backend,
    domanda,
    reclamo,
    send,
    sqlite_backend,
    submit,
    token,
)

ISEE = {"doc-isee": ("isee.pdf", PDF, "application/pdf")}
KEY = re.compile(r"/ricevuta/([0-9a-f]{32})")


@pytest.fixture
def app(sqlite_backend):  # noqa: F811
    return sqlite_backend(RATELIMIT_SUBMIT="1000 per minute")


def mails(app, to: str | None = None) -> list[Outbox]:
    with app.extensions["carta_sessions"]() as s:
        q = select(Outbox).order_by(Outbox.id)
        if to:
            q = q.where(Outbox.recipient == to)
        return s.execute(q).scalars().all()


def record_of(app, key: str) -> Submission:
    with app.extensions["carta_sessions"]() as s:
        return s.execute(select(Submission).where(Submission.idempotency_key == key)).scalar_one()


def change_status(app, key: str, new: str, message: str | None = None, note: str | None = None,
                  base: str = "https://servizi.example.it/") -> None:
    """What the back-office's status route does: audit entry, status, notice, one transaction."""
    with app.app_context(), app.extensions["carta_sessions"].begin() as s:
        found = s.execute(select(Submission).where(Submission.idempotency_key == key)).scalar_one()
        old = found.status
        s.add(AuditEvent(submission_id=found.id, user="operatrice", action="stato",
                         from_status=old, to_status=new, note=note))
        found.status = new
        notify_status_change(s, found, old, new, message, base_url=base)


# --- e-mails ------------------------------------------------------------------------------------

def test_an_applicant_gets_a_confirmation_in_their_language_with_the_status_link(app):
    with http_server(app) as base:
        receipt, _ = submit(requests.Session(), base, "/domanda/telesoccorso?lang=ar",
                            domanda(), files=ISEE)
    key = KEY.search(receipt).group(1)
    record = record_of(app, key)
    [mail] = mails(app, "mario@example.org")
    assert mail.subject.startswith(f"[{record.protocol}] ")
    charter = app.extensions["carta"]
    assert charter.t("ar", "receipt_title_domanda") in mail.subject
    assert charter.t("ar", "email_received_intro_domanda") in mail.body
    assert f"{base}/ricevuta/{key}?lang=ar" in mail.body
    assert citizen_mail.moment(record.created_at, "ar") in mail.body  # Europe/Rome, by present
    for personal in ("Rossi", "Mario", CF, "CA12345", "081 1234567", "Via Roma", "1980",
                     "Telesoccorso", "7500"):
        assert personal not in mail.body and personal not in mail.subject, personal


def test_a_complainant_gets_the_procedure_deadlines_in_their_language(app):
    with http_server(app) as base:
        receipt, _ = submit(requests.Session(), base, "/reclamo?lang=fr",
                            reclamo(**{"copia-email": "y"}))
    record = record_of(app, KEY.search(receipt).group(1))
    [mail] = mails(app, "anna@example.org")
    charter = app.extensions["carta"]
    assert charter.t("fr", "receipt_title_reclamo") in mail.subject
    for promise in present.complaint_deadlines(charter, "fr"):
        assert promise.text in mail.body
    for day in record.deadlines.values():
        assert present.date(dt.date.fromisoformat(day), "fr") in mail.body
    assert "Bianchi" not in mail.body and "non è arrivato" not in mail.body


def test_a_complainant_who_wants_no_copy_gets_no_email(app):
    with http_server(app) as base:
        submit(requests.Session(), base, "/reclamo", reclamo())
    assert [m.recipient for m in mails(app)] == ["ufficio@example.org"]


def test_the_email_templates_ask_only_for_listed_strings():
    folder = Path(__file__).resolve().parents[1] / "form_backend" / "templates" / "email"
    used = set()
    for template in folder.glob("*.txt"):
        used |= set(re.findall(r'\bt\("([a-z_]+)"', template.read_text(encoding="utf-8")))
    kinds = {"domanda", "reclamo"}  # "…_" ~ kind
    expanded = {k + kind if k.endswith("_") else k for k in used for kind in kinds}
    assert {k for k in expanded if not k.startswith("receipt_")} == set(EMAIL_KEYS)


# --- the status page ----------------------------------------------------------------------------

def test_the_status_page_shows_status_history_and_message_never_answers_or_notes(app):
    with http_server(app) as base:
        s = requests.Session()
        receipt, _ = submit(s, base, "/domanda/telesoccorso?lang=en", domanda(), files=ISEE)
        key = KEY.search(receipt).group(1)
        change_status(app, key, "in-istruttoria", note="verificare ISEE con CAF")
        change_status(app, key, "integrazione-richiesta",
                      message="Please send the ISEE certificate for 2026.",
                      note="internal: call the CAF")
        page = requests.get(f"{base}/ricevuta/{key}?lang=en").text
    charter = app.extensions["carta"]
    now = page[page.index('id="stato"'):]
    assert charter.t("en", "follow_status_integrazione_richiesta") in now
    history = now[now.index("<table"):now.index("</table>")]
    assert [charter.t("en", f"follow_status_{s}") in history
            for s in ("ricevuta", "in_istruttoria", "integrazione_richiesta")] == [True] * 3
    assert "Please send the ISEE certificate for 2026." in history
    order = [history.index(charter.t("en", f"follow_status_{s}"))
             for s in ("ricevuta", "in_istruttoria", "integrazione_richiesta")]
    assert order == sorted(order) and order[-1] < history.index("Please send")
    for secret in ("CAF", "operatrice", "Rossi", CF, "081 1234567", "7500"):
        assert secret not in page, secret
    assert 'action="/ricevuta/' in page and 'name="documenti"' in page  # the reply form
    notices = mails(app, "mario@example.org")[1:]
    assert len(notices) == 2
    last = notices[-1]
    assert charter.t("en", "follow_status_integrazione_richiesta") in last.subject
    assert charter.t("en", "email_status_asks") in last.body
    assert f"https://servizi.example.it/ricevuta/{key}?lang=en" in last.body
    assert "ISEE certificate" not in last.body  # the message is read on the page


def test_a_wrong_or_malformed_key_is_a_404_and_keys_never_reach_the_log(app, caplog):
    caplog.set_level(logging.DEBUG)
    with http_server(app) as base:
        receipt, _ = submit(requests.Session(), base, "/domanda/telesoccorso", domanda(),
                            files=ISEE)
        key = KEY.search(receipt).group(1)
        assert requests.get(f"{base}/ricevuta/{key}").status_code == 200
        near = key[:-1] + ("0" if key[-1] != "0" else "1")
        for wrong in (near, key.upper(), key[:8], key + "0", "x" * 32, key[:8] + "%25" * 8):
            assert requests.get(f"{base}/ricevuta/{wrong}").status_code == 404, wrong
            assert requests.post(f"{base}/ricevuta/{wrong}/facilita",
                                 data={"punteggio": "5"}).status_code in (400, 404)
    server_side = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records
                            if not r.name.startswith("urllib3"))  # the test's own client
    assert "/ricevuta/<key>" in server_side
    assert key not in server_side and key[:8] not in server_side


def test_the_status_page_is_rate_limited(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_STATUS="3 per minute")
    with http_server(app) as base:
        answers = [requests.get(f"{base}/ricevuta/{'a' * 32}").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_notify_takes_a_connection_too_and_writes_nothing_without_an_address(app):
    from form_backend.follow_db import CitizenMessage

    with http_server(app) as base:
        receipt, _ = submit(requests.Session(), base, "/reclamo?lang=en", reclamo())
    key = KEY.search(receipt).group(1)
    record = record_of(app, key)
    with app.app_context(), app.extensions["carta_engine"].begin() as connection:
        assert notify_status_change(connection, record, "ricevuta", "in-istruttoria",
                                    "We will call you.", base_url="") == 0  # no copy asked
        assert notify_status_change(connection, record, "ricevuta", "ricevuta", "x") == 0
    with app.extensions["carta_sessions"]() as db:
        assert db.execute(select(CitizenMessage.body)).scalars().all() == ["We will call you."]
    assert [m.recipient for m in mails(app)] == ["ufficio@example.org"]


# --- the reply --------------------------------------------------------------------------------

def reply(s: requests.Session, base: str, key: str, text: str = "", files=None):
    t = token(s, f"{base}/ricevuta/{key}")
    return s.post(f"{base}/ricevuta/{key}/risposta?lang=it", data={"csrf_token": t, "testo": text},
                  files=files, allow_redirects=False)


def test_a_reply_is_taken_only_while_the_office_asks_for_documents(app):
    with http_server(app) as base:
        s = requests.Session()
        receipt, _ = submit(s, base, "/domanda/telesoccorso", domanda(), files=ISEE)
        key = KEY.search(receipt).group(1)
        early = reply(s, base, key, "eccolo", {"documenti": ("isee.pdf", PDF, "application/pdf")})
        assert early.status_code == 409 and "non sta aspettando" in early.text
        change_status(app, key, "in-istruttoria")
        change_status(app, key, "integrazione-richiesta", message="Manca l'ISEE 2026.")
        assert 'name="documenti"' in s.get(f"{base}/ricevuta/{key}").text
        empty = reply(s, base, key, "   ")
        assert empty.status_code == 422 and "almeno un documento" in empty.text
        html = reply(s, base, key, "ecco", {"documenti": ("x.pdf", b"<html><script>", "text/html")})
        assert html.status_code == 422 and "PDF, un JPEG o un PNG" in html.text
        no_csrf = s.post(f"{base}/ricevuta/{key}/risposta", data={"testo": "x"},
                         allow_redirects=False)
        assert no_csrf.status_code == 400
        done = reply(s, base, key, "Ecco l'ISEE aggiornato.",
                     {"documenti": ("\u202eisee 2026.pdf", PDF, "application/pdf")})
        assert done.status_code == 303
        page = s.get(base + done.headers["Location"]).text
        assert "Risposta ricevuta" in page and "documenti allegati: 1" in page
        assert "Ecco l'ISEE aggiornato." not in page  # the citizen's own words stay with the office
        change_status(app, key, "in-istruttoria")
        late = reply(s, base, key, "un'altra cosa")
        assert late.status_code == 409
    record = record_of(app, key)
    with app.extensions["carta_sessions"]() as db:
        event = db.execute(select(AuditEvent).where(AuditEvent.submission_id == record.id,
                                                    AuditEvent.action == "risposta-cittadino")
                           ).scalar_one()
        files = db.execute(select(Attachment).where(
            Attachment.document == f"integrazione-{event.id}")).scalars().all()
    assert event.user == "cittadino" and event.note == "Ecco l'ISEE aggiornato."
    assert [(f.filename, f.content_type) for f in files] == [("isee 2026.pdf", "application/pdf")]
    assert any("Risposta del cittadino" in m.subject for m in mails(app, "ufficio@example.org"))


# --- save and return --------------------------------------------------------------------------

def test_a_saved_draft_opens_from_its_emailed_link_in_another_browser_only(app):
    with http_server(app) as base:
        mine = requests.Session()
        first = send(mine, base, "/domanda/telesoccorso?lang=fr", domanda(), ISEE)
        check = first.headers["Location"].split("?")[0]
        step = re.search(r'href="(' + re.escape(check) + r'/passo/[^"?#]+)', mine.get(base + check).text)
        for shown in (check, step.group(1)):  # the check page and a question page offer it
            assert f'href="{check}/salva?lang=fr"' in mine.get(f"{base}{shown}?lang=fr").text
        page = mine.get(f"{base}{check}/salva?lang=fr")
        assert page.status_code == 200 and 'autocomplete="email"' in page.text
        t = token(mine, f"{base}{check}/salva?lang=fr")
        bad = mine.post(f"{base}{check}/salva?lang=fr", data={"csrf_token": t, "email": "a,b@x.it"})
        assert bad.status_code == 422
        saved = mine.post(f"{base}{check}/salva?lang=fr",
                          data={"csrf_token": t, "email": "mario@example.org"})
        assert saved.status_code == 200
        assert requests.get(f"{base}{check}/salva").status_code == 404  # not this browser's
        [mail] = mails(app, "mario@example.org")
        link = re.search(r"(http://\S+/riprendi/(\S+))\?lang=fr", mail.body)
        tok = link.group(2)
        other = requests.Session()
        assert other.get(base + check).status_code == 404
        opened = other.get(link.group(0))
        assert opened.status_code == 200
        assert mine.get(base + check).status_code == 200  # a GET changes nothing
        t = token(other, link.group(0))
        moved = other.post(link.group(1), data={"csrf_token": t}, allow_redirects=False)
        assert moved.status_code == 303 and moved.headers["Location"].startswith(check)
        assert other.get(base + moved.headers["Location"]).status_code == 200
        assert mine.get(base + check).status_code == 404  # the draft moved to the new browser
        assert requests.get(f"{base}/riprendi/{tok[:-2]}xx").status_code == 404
        draft_id = check.rsplit("/", 1)[1]
        with app.extensions["carta_sessions"]() as db:
            row = db.get(DraftSave, draft_id)
            draft = db.get(Draft, draft_id)
        assert row.token_hash == hashlib.sha256(tok.encode()).hexdigest()
        lasts = (draft.created_at.replace(tzinfo=dt.UTC) + dt.timedelta(hours=24)
                 - dt.datetime.now(dt.UTC))
        assert dt.timedelta(days=29) < lasts <= dt.timedelta(days=30)
        port = free_port()
        with smtp_sink(port) as received:
            deliver_due(app.extensions["carta_sessions"], SmtpSettings("127.0.0.1", port))
        assert any(tok.encode() in m for m in received)
        assert all(tok not in m.body for m in mails(app))  # delivered: the link is not kept
        t = token(other, base + check)
        sent = other.post(base + check, data={"csrf_token": t}, allow_redirects=False)
        assert sent.status_code == 303 and "/ricevuta/" in sent.headers["Location"]
        assert other.get(link.group(0)).status_code == 404  # sent: the link opens nothing


def test_an_expired_saved_link_opens_nothing(app):
    with http_server(app) as base:
        s = requests.Session()
        check = send(s, base, "/reclamo", reclamo()).headers["Location"].split("?")[0]
        t = token(s, f"{base}{check}/salva")
        s.post(f"{base}{check}/salva", data={"csrf_token": t, "email": "anna@example.org"})
        answers = [s.post(f"{base}{check}/salva", data={"csrf_token": t, "email": f"x{i}@example.org"}
                          ).status_code for i in range(5)]
        assert answers == [200] * 4 + [429]  # five e-mails per draft at most
        old, last = (re.search(r"/riprendi/(\S+)\?", m.body).group(1)
                     for m in (mails(app, "anna@example.org")[0], mails(app, "x3@example.org")[0]))
        assert requests.get(f"{base}/riprendi/{old}").status_code == 404  # a new save replaced it
        assert requests.get(f"{base}/riprendi/{last}").status_code == 200
        tok = last
        with app.extensions["carta_sessions"].begin() as db:
            db.execute(update(DraftSave).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        assert requests.get(f"{base}/riprendi/{tok}").status_code == 404


# --- ease of use ------------------------------------------------------------------------------

def test_ease_of_use_is_asked_once_and_kept_without_personal_data(app):
    with http_server(app) as base:
        s = requests.Session()
        receipt, page = submit(s, base, "/domanda/telesoccorso", domanda(), files=ISEE)
        key = KEY.search(receipt).group(1)
        assert "Quanto è stato facile usare questo servizio?" in page
        t = token(s, receipt)
        assert s.post(f"{base}/ricevuta/{key}/facilita", data={"csrf_token": t, "punteggio": "9"}
                      ).status_code == 422
        for score in ("4", "1"):
            r = s.post(f"{base}/ricevuta/{key}/facilita",
                       data={"csrf_token": t, "punteggio": score, "commento": "Chiaro\x00."},
                       allow_redirects=False)
            assert r.status_code == 303
        after = s.get(receipt).text
        assert "Grazie" in after and 'name="punteggio"' not in after
        submit(requests.Session(), base, "/reclamo", reclamo())  # another form, no answer
    record = record_of(app, key)  # (one session at a time: SQLite's writers queue)
    with app.extensions["carta_sessions"]() as db:
        [rating] = db.execute(select(EaseRating)).scalars().all()
        assert db.execute(select(EaseGiven)).scalar_one().submission_id == record.id
        counts = ease_counts(db)
    assert set(EaseRating.__table__.columns.keys()) == {"id", "form", "month", "score", "comment"}
    assert rating.form == "telesoccorso" and rating.score == 4 and rating.comment == "Chiaro."
    assert rating.month == dt.date.today().strftime("%Y-%m")
    assert counts == {"telesoccorso": {"scores": {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}, "answers": 1,
                                       "mean": 4.0, "comments": [(rating.month, "Chiaro.")]}}


# --- on PostgreSQL too ------------------------------------------------------------------------

def test_status_reply_ease_and_save_on_both_databases(backend):  # noqa: F811
    """Migration 0006's tables, the row lock of the reply and the outbox without a submission,
    on SQLite and on a real PostgreSQL server."""
    base, app = backend
    s = requests.Session()
    receipt, _ = submit(s, base, "/domanda/telesoccorso", domanda(), files=ISEE)
    key = KEY.search(receipt).group(1)
    change_status(app, key, "in-istruttoria")
    change_status(app, key, "integrazione-richiesta", message="Manca l'ISEE.")
    assert "Manca l&#39;ISEE." in s.get(receipt).text
    assert reply(s, base, key, "Eccolo.", {"documenti": ("i.pdf", PDF, "application/pdf")}
                 ).status_code == 303
    t = token(s, receipt)
    assert s.post(f"{base}/ricevuta/{key}/facilita", data={"csrf_token": t, "punteggio": "5"},
                  allow_redirects=False).status_code == 303
    other = requests.Session()
    check = send(other, base, "/reclamo", reclamo()).headers["Location"].split("?")[0]
    t = token(other, f"{base}{check}/salva")
    assert other.post(f"{base}{check}/salva", data={"csrf_token": t, "email": "anna@example.org"}
                      ).status_code == 200
    link = re.search(r"http://\S+/riprendi/\S+", mails(app, "anna@example.org")[0].body).group(0)
    third = requests.Session()
    t = token(third, link)
    assert third.post(link, data={"csrf_token": t}, allow_redirects=False).status_code == 303
    assert third.get(base + check).status_code == 200
    with app.extensions["carta_sessions"]() as db:
        assert ease_counts(db)["telesoccorso"]["answers"] == 1
    assert len(mails(app, "mario@example.org")) == 3  # confirmation, two status changes


# --- the journey in Chromium, on a phone ----------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 375, "height": 812}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPERATOR, PASSWORD = "operatrice", "una-password-lunga"


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


def delivered(app, port: int, received: list[bytes], before: int) -> list:
    deliver_due(app.extensions["carta_sessions"], SmtpSettings("127.0.0.1", port,
                                                               sender="carta@example.org"))
    return [email.message_from_bytes(m, policy=email.policy.default) for m in received[before:]]


def draft_in(context, base: str, path: str, answers: dict, files: dict) -> str:
    """Answers sent into a draft through the browser context's own HTTP client (its cookies
    are the browser's: the draft is bound to it); the check page's path.  Filling in the
    question pages themselves is part A's test (tests/test_journey_forms.py)."""
    page = context.request.get(base + path)
    t = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text()).group(1)
    multipart = {**answers, "csrf_token": t}
    for name, (filename, content, mime) in files.items():
        multipart[name] = {"name": filename, "mimeType": mime, "buffer": content}
    r = context.request.post(base + path, multipart=multipart, max_redirects=0)
    assert r.status == 303, r.text()[:500]
    return r.headers["location"]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [f"{page.url}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}"
            for v in result.response["violations"]]


@pytest.mark.system
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_journey_after_the_receipt_in_chromium_on_a_phone(chromium, sqlite_backend,  # noqa: F811
                                                              tmp_path, lang):
    from form_backend.office import add_user

    app = sqlite_backend(RATELIMIT_SUBMIT="1000 per minute")
    add_user(app.extensions["carta_sessions"], OPERATOR, PASSWORD)
    charter = app.extensions["carta"]
    shots = tmp_path / "shots"
    shots.mkdir()
    port = free_port()
    with http_server(app) as base, smtp_sink(port) as received:
        citizen = chromium.new_context(viewport=PHONE, locale=lang)
        page = citizen.new_page()
        # send: the check page in the browser, "Invia"
        check = draft_in(citizen, base, f"/domanda/telesoccorso?lang={lang}", domanda(), ISEE)
        page.goto(base + check)
        page.locator("main form[method=post] button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/ricevuta/"))
        assert charter.t(lang, "follow_status_ricevuta") in page.inner_text("#main")
        page.screenshot(path=str(shots / f"receipt-{lang}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1

        # the confirmation, through a real SMTP server, in the citizen's language
        [confirmation] = [m for m in delivered(app, port, received, 0) if m["To"] == "mario@example.org"]
        assert charter.t(lang, "receipt_title_domanda") in confirmation["Subject"]
        text = confirmation.get_content()
        assert charter.t(lang, "email_received_intro_domanda") in text
        link = re.search(r"(http://\S+/ricevuta/[0-9a-f]{32})\?lang=" + lang, text).group(0)
        assert link.split("?")[0] == page.url.split("?")[0]
        seen = len(received)

        # the office asks for a document (an operator without health access: no second factor)
        office = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="it")
        desk = office.new_page()
        desk.goto(f"{base}/ufficio/login")
        desk.fill("input[name=name]", OPERATOR)
        desk.fill("input[name=password]", PASSWORD)
        desk.locator("main form button[type=submit]").click()
        record = record_of(app, link.rsplit("/", 1)[1].split("?")[0])
        for status, message in (("in-istruttoria", ""),
                                ("integrazione-richiesta", "Serve l'attestazione ISEE 2026.")):
            desk.goto(f"{base}/ufficio/{record.id}")
            form = desk.locator(f"form[action='/ufficio/{record.id}/stato']")
            form.locator("select[name=status]").select_option(status)
            form.locator("textarea[name=message]").fill(message)
            form.locator("textarea[name=note]").fill("nota interna: chiamare il CAF")
            form.locator("button[type=submit]").click()
            desk.wait_for_load_state()

        # the citizen's page and e-mail show it
        page.goto(link)
        main = page.inner_text("#main")
        assert charter.t(lang, "follow_status_integrazione_richiesta") in main
        assert "Serve l'attestazione ISEE 2026." in main and "CAF" not in main
        notices = [m for m in delivered(app, port, received, seen) if m["To"] == "mario@example.org"]
        assert len(notices) == 2
        assert charter.t(lang, "follow_status_integrazione_richiesta") in notices[-1]["Subject"]
        assert link in notices[-1].get_content()
        assert "ISEE 2026" not in notices[-1].get_content()

        # the citizen replies with a document
        page.fill("#testo", "Ecco l'attestazione ISEE 2026.")
        page.set_input_files("#documenti", {"name": "isee-2026.pdf", "mimeType": "application/pdf",
                                            "buffer": PDF})
        page.locator("form[action*='/risposta'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"inviata=1"))
        assert charter.t(lang, "follow_reply_done") in page.inner_text("#main")
        assert charter.t(lang, "follow_event_reply", n=1) in page.inner_text("#main")
        page.screenshot(path=str(shots / f"replied-{lang}.png"), full_page=True)

        # the office sees the reply
        desk.goto(f"{base}/ufficio/{record.id}")
        desk.screenshot(path=str(shots / f"office-{lang}.png"), full_page=True)
        office_view = desk.inner_text("main")
        assert "Ecco l'attestazione ISEE 2026." in office_view
        heading = charter.t("it", "print_attachments")
        assert desk.locator(f"h2:text-is('{heading}') + ul > li").count() == 2  # ISEE, reply

        # axe on the status page in every language
        found = []
        for other in ("it", "en", "fr", "ar"):
            page.goto(link.split("?")[0] + f"?lang={other}")
            found += axe_violations(page)
        assert found == []

        # a draft saved here, resumed from its e-mailed link in another browser
        seen = len(received)
        check = draft_in(citizen, base, f"/reclamo?lang={lang}", reclamo(), {})
        page.goto(base + check)
        page.get_by_role("link", name=charter.t(lang, "follow_save_title")).click()
        page.fill("#email", "anna@example.org")
        page.locator("main form button[type=submit]").click()
        assert charter.t(lang, "follow_save_done_title") in page.inner_text("#main")
        found = axe_violations(page)
        [saved] = [m for m in delivered(app, port, received, seen) if m["To"] == "anna@example.org"]
        assert saved["Subject"] == charter.t(lang, "email_saved_subject")
        resume = re.search(r"http://\S+/riprendi/\S+", saved.get_content()).group(0)
        elsewhere = chromium.new_context(viewport=PHONE, locale=lang).new_page()
        elsewhere.goto(resume)
        found += axe_violations(elsewhere)
        elsewhere.locator("main form button[type=submit]").click()
        elsewhere.wait_for_url(re.compile(re.escape(check.split("?")[0])))
        assert charter.t(lang, "form_check_title") in elsewhere.inner_text("#main")
        assert "Bianchi" in elsewhere.inner_text("#main")
        elsewhere.screenshot(path=str(shots / f"resumed-{lang}.png"), full_page=True)
        assert found == []
        page.goto(base + check)
        assert "Bianchi" not in page.inner_text("body")  # the first browser has let it go
        office.close()
        citizen.close()
    for shot in shots.iterdir():  # kept for a look: /tmp/carta-journey-follow/
        target = Path("/tmp/carta-journey-follow") / shot.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(shot, target)
