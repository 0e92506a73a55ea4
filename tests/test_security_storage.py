"""Issue 12, part B: data at rest, e-mail and uploads, against an attacker.

Each test does what the attack review did (read the database file without the key, send
mail through a remote relay, upload a booby-trapped file, look in the write-ahead log after a
purge) through the real app, and checks what the attacker would find.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import socket
import stat
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import select, text, update

from form_backend import create_app
from form_backend.db import Attachment, Outbox, Submission
from form_backend.forms import applicable_parameters
from form_backend.mailaddr import valid_address
from form_backend.outbox import SmtpSettings, deliver_due
from form_backend.uploads import UploadRefused, check_upload, clamd_scan, display_name
from tests.factory import REPO
from tests.payloads import CF, PDF, domanda, reclamo
from tests.servers import free_port, http_server, smtp_sink
from tests.test_backend import _errors, send, submit

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def make_app(db: Path, key: str | None = None, **config):
    return create_app({
        "CARTA_ROOT": str(REPO), "DATABASE_URL": f"sqlite:///{db}", "TESTING": True,
        "ENCRYPTION_KEY": key or Fernet.generate_key().decode(), "OUTBOX_SENDER": False,
        "SECRET_KEY": "test", "OFFICE_EMAIL": "ufficio@example.org",
        "RATELIMIT_SUBMIT": "10000 per minute", "CARTA_SITE_DIR": str(db.parent / "no-site"),
        **config})


@pytest.fixture
def app(tmp_path):
    made = []

    def make(**config):
        made.append(make_app(tmp_path / "instance" / "carta.db", **config))
        return made[-1]

    yield make
    for a in made:
        for name in ("carta_engine", "carta_reader_engine"):
            a.extensions[name].dispose()


def health_parameter(app) -> str:
    charter = app.extensions["carta"]
    service = charter.service_by_slug["telesoccorso"]
    return next(f"par-{p.id}" for p in applicable_parameters(charter, service)
                if p.sensitive and p.points is not None and not p.per_person and not p.steps)


def apply_with_health(app, base, **overrides) -> Submission:
    submit(requests.Session(), base, "/domanda/telesoccorso",
           domanda(**{health_parameter(app): "y", **overrides}),
           files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    with app.extensions["carta_sessions"]() as s:
        record = s.execute(select(Submission).order_by(Submission.id.desc())).scalars().first()
        _ = record.attachments  # loaded while the session is open
        return record


def unkeyed(record: Submission, sensitive: dict, attachments: list[str]) -> str:
    """The digest as the attack review recomputed it: SHA-256 of the record and a guess."""
    body = {"kind": record.kind, "service": record.service, "answers": record.data,
            "sensitive": sensitive, "attachments": sorted(attachments)}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# finding 1: the content digest and the files at rest


def test_content_digest_does_not_let_guesses_of_health_answers_be_tested(app):
    from form_backend.store import decrypt

    a = app()
    with http_server(a) as base:
        record = apply_with_health(a, base)
    fernet = a.extensions["carta_fernet"]
    secret = decrypt(fernet, record.sensitive)
    assert secret == {health_parameter(a): True}
    files = [x.sha256 for x in record.attachments]
    # the attacker's guesses, the right one among them: none matches without the key
    guesses = [{}, secret, {health_parameter(a): False}]
    assert record.content_sha256 not in {unkeyed(record, g, files) for g in guesses}
    # with the key it is the record's fingerprint: same content, same digest; other key, other
    from form_backend.store import keyed_digest

    assert record.content_sha256 == keyed_digest(fernet, record.kind, record.service,
                                                 record.data, secret, files)
    other = Fernet(Fernet.generate_key())
    assert keyed_digest(other, record.kind, record.service, record.data, secret, files) \
        != record.content_sha256


def test_migration_0004_clears_unkeyed_digests_and_start_up_keys_them(app, tmp_path):
    """A database from before: its digests are the unkeyed ones; after the upgrade none is
    left, and the next start of the app (which has the key) gives each its keyed digest."""
    from form_backend.migrate import upgrade
    from form_backend.store import decrypt, keyed_digest

    a = app()
    with http_server(a) as base:
        record = apply_with_health(a, base)
    fernet, key = a.extensions["carta_fernet"], a.config["ENCRYPTION_KEY"]
    secret = decrypt(fernet, record.sensitive)
    files = [x.sha256 for x in record.attachments]
    old = unkeyed(record, secret, files)
    engine = a.extensions["carta_engine"]
    with engine.begin() as c:
        head = c.execute(text("select version_num from alembic_version")).scalar_one()
        c.execute(update(Submission).values(content_sha256=old))
        c.execute(text("update alembic_version set version_num = '0003'"))
    upgrade(engine, "0004")
    with engine.begin() as c:
        assert c.execute(select(Submission.content_sha256)).scalar_one() == ""
        c.execute(text("update alembic_version set version_num = :v"), {"v": head})
    again = make_app(tmp_path / "instance" / "carta.db", key=key)
    with again.extensions["carta_reader"]() as s:
        digest = s.execute(select(Submission.content_sha256)).scalar_one()
    again.extensions["carta_engine"].dispose()
    again.extensions["carta_reader_engine"].dispose()
    assert digest == keyed_digest(fernet, record.kind, record.service, record.data, secret,
                                  files) != old
    raw = b"".join(p.read_bytes() for p in (tmp_path / "instance").glob("carta.db*")
                   if p.suffix != ".writer-lock")
    assert old.encode() not in raw  # not in the live pages, not in the write-ahead log


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_files_and_instance_folder_are_owner_only(app, tmp_path):
    from form_backend.backup import backup

    old_umask = os.umask(0o022)
    try:
        instance = tmp_path / "instance"
        instance.mkdir(mode=0o755)
        (instance / "carta.db").touch(mode=0o644)  # as an older version left them
        a = app()
        with http_server(a) as base:
            submit(requests.Session(), base, "/reclamo", reclamo())
            files = {p.name: _mode(p) for p in instance.iterdir() if p.is_file()}
            assert {"carta.db", "carta.db-wal", "carta.db-shm"} <= set(files)
            assert set(files.values()) == {0o600}, files
            assert _mode(instance) == 0o700
            copy = tmp_path / "copie" / "carta.db"
            assert backup(a.config["DATABASE_URL"], copy) == 1
        assert _mode(copy) == 0o600 and _mode(copy.parent) == 0o700
    finally:
        os.umask(old_umask)


# ---------------------------------------------------------------------------------------------
# finding 8: e-mail


def test_office_notice_links_to_the_record_and_carries_no_personal_data(app):
    a = app()
    with http_server(a) as base:
        record = apply_with_health(a, base)
        submit(requests.Session(), base, "/reclamo", reclamo(**{"copia-email": "y"}))
    with a.extensions["carta_sessions"]() as s:
        mails = s.execute(select(Outbox).order_by(Outbox.id)).scalars().all()
    office, confirmation, complaint_office, copy = mails  # the citizens' e-mails: issue 15
    assert office.recipient == complaint_office.recipient == "ufficio@example.org"
    assert confirmation.recipient == "mario@example.org" and copy.recipient == "anna@example.org"
    assert re.search(rf"https?://[^/\s]+/ufficio/{record.id}\b", office.body), office.body
    assert record.protocol in office.body
    personal = [CF, "CA12345", "1980-01-01", "01/01/1980", "Via Roma", "Rossi", "Mario",
                "081 1234567", "mario@example.org", "sorrento", "7500", health_parameter(a),
                "Bianchi", "Anna", "Via Capo", "081 7654321", "anna@example.org", "Sorrento",
                "non è arrivato"]
    for mail in mails:
        for value in personal:
            assert value not in mail.body, (mail.recipient, value)


@pytest.mark.parametrize(("text", "expected"), [
    ("mario@example.org", "mario@example.org"),
    ("  Mario.Rossi@Example.ORG ", "Mario.Rossi@example.org"),
    ("a@exämple.org", "a@xn--exmple-cua.org"),
    ("p,postmaster@example.org", None),
    ("a@example.org, b@example.org", None),
    ("Mario <mario@example.org>", None),
    ("a@example.org\r\nBcc: x@example.org", None),
    ('"a b"@example.org', None),
    ("a@[127.0.0.1]", None),
    ("a@b@example.org", None),
    ("mario@", None),
    ("mario@localhost", None),
    ("x" * 250 + "@example.org", None),
    ("", None),
    (None, None),
])
def test_one_strict_address_per_email_field(text, expected):
    assert valid_address(text) == expected


@pytest.mark.parametrize("address", ["p,postmaster@example.org", "Anna <anna@example.org>",
                                     "anna@example.org\nBcc: x@example.org"])
def test_the_email_field_takes_one_address(app, address):
    a = app()
    with http_server(a) as base:
        r = send(requests.Session(), base, "/reclamo",
                 reclamo(**{"email": address, "copia-email": "y"}))
    assert r.status_code == 422
    assert any("indirizzo e-mail valido" in e for e in _errors(r.text)), _errors(r.text)
    assert '<li><a href="#email">' in r.text


def test_a_copy_to_two_addresses_is_never_written_to_the_outbox(app):
    """The form may refuse the address (it should: part A calls valid_address); if it lets it
    through, the store still writes no message to it."""
    a = app()
    with http_server(a) as base:
        s = requests.Session()
        first = send(s, base, "/reclamo", reclamo(**{"email": "p,postmaster@example.org",
                                                       "copia-email": "y"}))
        if first.status_code == 303:
            check = base + first.headers["Location"]
            t = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                          s.get(check).text).group(1)
            assert s.post(check.split("?")[0], data={"csrf_token": t},
                          allow_redirects=False).status_code == 303
        else:
            assert first.status_code == 422 and any("e-mail" in e for e in _errors(first.text))
    with a.extensions["carta_sessions"]() as session:
        recipients = session.execute(select(Outbox.recipient)).scalars().all()
    assert all(r == "ufficio@example.org" for r in recipients), recipients


def test_outbox_refuses_a_recipient_that_is_not_one_address(app):
    a = app()
    with http_server(a) as base:
        submit(requests.Session(), base, "/reclamo", reclamo())
    sessions = a.extensions["carta_sessions"]
    with sessions.begin() as s:
        s.execute(update(Outbox).values(recipient="p,postmaster@example.org"))
    port = free_port()
    with smtp_sink(port) as received:
        assert deliver_due(sessions, "127.0.0.1", port, "carta@example.org") == (0, 0)
    assert received == []
    with sessions() as s:
        row = s.execute(select(Outbox)).scalar_one()
    assert row.sent_at is None and "not one valid recipient" in row.last_error
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) > dt.datetime.now(dt.UTC) + \
        dt.timedelta(days=365)  # no retry can fix it: it waits for someone to look


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (it is its own CA)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Recorder:
    """An aiosmtpd handler keeping each message with how it came: TLS or not, logged in."""

    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        self.messages.append({"tls": tls is not None and tls.version() in ("TLSv1.2", "TLSv1.3"),
                              "login": getattr(session, "login_data", None),
                              "authenticated": session.authenticated,
                              "to": list(envelope.rcpt_tos), "content": envelope.content})
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"carta", b"una-password-lunga")
    return AuthResult(success=ok, handled=False)


def _smtp_server(tmp_path, implicit: bool, offer_tls: bool = True):
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = _Recorder()
    port = free_port()
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls: implicit TLS is TLS anyway
    options: dict = {"authenticator": _authenticator, "auth_require_tls": not implicit,
                     "auth_required": True}
    if implicit:
        controller = Controller(recorder, hostname="127.0.0.1", port=port,
                                ssl_context=context, **options)
    elif offer_tls:
        controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, **options)
    else:
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
    return controller, recorder, port, cert


def _queued_mails(app, n: int = 1):
    with http_server(app) as base:
        for i in range(n):
            submit(requests.Session(), base, "/reclamo", reclamo(nome=f"P{i}"))
    return app.extensions["carta_sessions"]


@pytest.mark.system
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_leaves_over_tls_with_authentication(app, tmp_path, security):
    controller, recorder, port, cert = _smtp_server(tmp_path, implicit=security == "tls")
    sessions = _queued_mails(app(), 2)
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="carta@example.org",
                        security=security, username="carta", password="una-password-lunga",
                        ca_file=str(cert))
    controller.start()
    try:
        assert deliver_due(sessions, smtp) == (2, 0)
    finally:
        controller.stop()
    assert len(recorder.messages) == 2
    assert all(m["tls"] and m["authenticated"] for m in recorder.messages)
    assert all(m["to"] == ["ufficio@example.org"] for m in recorder.messages)


@pytest.mark.system
def test_carta_outbox_send_uses_the_tls_settings(app, tmp_path, monkeypatch, capsys):
    from carta.cli import main

    controller, recorder, port, cert = _smtp_server(tmp_path, implicit=False)
    a = app()
    _queued_mails(a)
    for name, value in {"DATABASE_URL": a.config["DATABASE_URL"], "SMTP_PORT": str(port),
                        "ENCRYPTION_KEY": a.config["ENCRYPTION_KEY"],
                        "SMTP_SECURITY": "starttls", "SMTP_USERNAME": "carta",
                        "SMTP_PASSWORD": "una-password-lunga",
                        "SMTP_CA_FILE": str(cert)}.items():
        monkeypatch.setenv(f"CARTA_{name}", value)
    controller.start()
    try:
        assert main(["outbox", "send", "--root", str(REPO)]) == 0
    finally:
        controller.stop()
    assert capsys.readouterr().out.splitlines() == ["sent 1, failed 0"]
    assert [m["tls"] and m["authenticated"] for m in recorder.messages] == [True]


@pytest.mark.system
@pytest.mark.parametrize("case", ["no STARTTLS offered", "untrusted certificate",
                                  "wrong password"])
def test_mail_is_never_sent_in_clear_or_to_an_unverified_server(app, tmp_path, case):
    controller, recorder, port, cert = _smtp_server(
        tmp_path, implicit=False, offer_tls=case != "no STARTTLS offered")
    sessions = _queued_mails(app())
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="carta@example.org",
                        security="starttls", username="carta",
                        password="sbagliata" if case == "wrong password" else
                        "una-password-lunga",
                        ca_file=None if case == "untrusted certificate" else str(cert))
    controller.start()
    try:
        assert deliver_due(sessions, smtp) == (0, 1)
    finally:
        controller.stop()
    assert recorder.messages == []
    with sessions() as s:
        row = s.execute(select(Outbox)).scalar_one()
    assert row.sent_at is None and row.last_error


def test_no_mail_in_clear_to_a_remote_host_unless_set(app):
    sessions = _queued_mails(app())
    remote = SmtpSettings(host="mail.example.org", port=25)
    started = time.monotonic()
    assert deliver_due(sessions, remote) == (0, 1)
    assert time.monotonic() - started < 1  # refused before any connection is tried
    with sessions() as s:
        assert "CARTA_SMTP_SECURITY" in s.execute(select(Outbox.last_error)).scalar_one()
    assert SmtpSettings(host="127.0.0.1").mode() == "none"
    assert SmtpSettings(host="::1").mode() == "none"
    assert SmtpSettings(host="mail.example.org", security="none").mode() == "none"
    assert SmtpSettings(host="mail.example.org", security="starttls").mode() == "starttls"
    with pytest.raises(Exception, match="never sent in clear"):
        SmtpSettings(host="mail.example.org", security="none", username="u").mode()
    with pytest.raises(Exception, match="use starttls, tls or none"):
        SmtpSettings(host="127.0.0.1", security="ssl").mode()


# ---------------------------------------------------------------------------------------------
# finding 10: uploads


def _pdf(edit=None, comment: bytes = b"") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if edit:
        edit(writer)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    return data.replace(b"\n", b"\n" + comment + b"\n", 1) if comment else data


def _action(kind: str, **entries):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    return DictionaryObject({NameObject("/S"): NameObject(kind), **{
        NameObject(k): TextStringObject(v) for k, v in entries.items()}})


def _js_open_action(w):
    from pypdf.generic import NameObject

    w._root_object[NameObject("/OpenAction")] = _action("/JavaScript", **{"/JS": "app.alert(1)"})


def _launch_on_page_open(w):
    from pypdf.generic import DictionaryObject, NameObject

    w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action(
        "/Launch", **{"/F": "cmd.exe"})})


def _launch_link(w):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                             NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                             NameObject("/A"): _action("/Launch", **{"/F": "calc.exe"})})
    w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(link)])


def _embedded_file(w):
    w.add_attachment("fattura.exe", b"MZ\x90\x00")


def _names_javascript(w):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    w._root_object[NameObject("/Names")] = DictionaryObject({
        NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): ArrayObject([
            TextStringObject("x"), _action("/JavaScript", **{"/JS": "app.alert(1)"})])})})


def _png_bomb(side: int = 30000) -> bytes:
    """A 30000×30000 one-bit PNG: about 100 kB that would decode to 900 million pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack("!I", len(body)) + kind + body
                + struct.pack("!I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    z = zlib.compressobj(9)
    row = b"\0" * (1 + side // 8)
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    return (PNG_MAGIC + chunk(b"IHDR", struct.pack("!IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def _photo(**exif_tags) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (60, 40), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraSegreta"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to show
    for tag, value in exif_tags.items():
        exif[int(tag)] = value
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"commento nascosto")
    return out.getvalue()


@pytest.mark.parametrize(("data", "key"), [
    pytest.param(_pdf(_js_open_action), "err_file_unsafe", id="pdf-javascript-openaction"),
    pytest.param(_pdf(_names_javascript), "err_file_unsafe", id="pdf-javascript-names"),
    pytest.param(_pdf(_launch_on_page_open), "err_file_unsafe", id="pdf-aa-launch"),
    pytest.param(_pdf(_launch_link), "err_file_unsafe", id="pdf-launch-link"),
    pytest.param(_pdf(_embedded_file), "err_file_unsafe", id="pdf-embedded-file"),
    pytest.param(b"<html><body>x</body></html>\n" + PDF, "err_file_unsafe",
                 id="html-before-pdf"),
    pytest.param(_pdf(comment=b"%<script>alert(1)</script>"), "err_file_unsafe",
                 id="pdf-with-script-inside"),
    pytest.param(b"%PDF-1.4\n<html><script>x</script>", "err_file_unsafe", id="stress-polyglot"),
    pytest.param(b"%PDF-1.4" + b"\0" * 10, "err_file_damaged", id="pdf-that-does-not-open"),
    pytest.param(PNG_MAGIC + b"<?php ?>", "err_file_damaged", id="png-magic-then-php"),
    pytest.param(b"\xff\xd8\xff" + b"\0" * 100, "err_file_damaged", id="jpeg-magic-only"),
    pytest.param(b"GIF89a<script>", "err_file_type", id="gif"),
    pytest.param(b"PK\x03\x04" + b"\0" * 26, "err_file_type", id="zip"),
    pytest.param(b"", "err_file_type", id="empty"),
])
def test_upload_refused_by_what_it_contains(data, key):
    with pytest.raises(UploadRefused) as refused:
        check_upload("documento.pdf", data)
    assert refused.value.key == key


def test_png_bomb_is_refused_without_decoding_it():
    import tracemalloc

    bomb = _png_bomb()
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_upload("bomba.png", bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.key == "err_file_image_too_large"
    assert time.monotonic() - started < 2 and peak < 20 << 20  # 900 Mpx would be ~110 MB


def test_images_are_re_encoded_without_metadata():
    from PIL import Image

    photo = _photo(**{"305": "SoftwareSegreto"})
    assert b"CameraSegreta" in photo and b"commento nascosto" in photo
    clean = check_upload("foto.jpeg", photo)
    assert clean.mimetype == "image/jpeg" and clean.ext == "jpg" and clean.name == "foto.jpeg"
    for secret in (b"CameraSegreta", b"SoftwareSegreto", b"commento nascosto", b"Exif"):
        assert secret not in clean.data
    shown = Image.open(io.BytesIO(clean.data))
    assert shown.size == (40, 60) and not shown.getexif()  # upright, and nothing else
    png = io.BytesIO()
    Image.new("RGBA", (8, 8)).save(png, "PNG", pnginfo=_png_text("Autore", "Mario Rossi"))
    cleaned = check_upload("a.png", png.getvalue())
    assert b"Mario Rossi" in png.getvalue() and b"Mario Rossi" not in cleaned.data


def test_a_clean_photo_is_not_compressed_again_but_anything_after_it_is_dropped():
    clean = check_upload("foto.jpg", _photo()).data
    assert check_upload("foto.jpg", clean).data == clean  # checked again before it is sent
    hidden = clean + b"<html><script>alert(1)</script></html>"
    again = check_upload("foto.jpg", hidden).data
    assert b"<script>" not in again and again.endswith(b"\xff\xd9")


def _png_text(key: str, value: str):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


@pytest.mark.parametrize(("name", "suffixes", "shown"), [
    ("../../etc/passwd.pdf", (".pdf",), "passwd.pdf"),
    ("..\\..\\windows\\x.pdf", (".pdf",), "x.pdf"),
    ("fattura\x00.exe.pdf", (".pdf",), "fattura.exe.pdf"),
    ("\u202egpj.exe", (".jpg", ".jpeg"), "gpj.exe.jpg"),
    ("doc\u2066\u200b\u2069umento.PDF", (".pdf",), "documento.PDF"),
    ("a\r\nb:c|d.png", (".png",), "abcd.png"),
    ("..", (".pdf",), "allegato.pdf"),
    ("x" * 500 + ".pdf", (".pdf",), "x" * 116 + ".pdf"),
])
def test_display_names_are_cleaned_of_paths_controls_and_bidi(name, suffixes, shown):
    assert display_name(name, suffixes) == shown


def test_a_clean_pdf_is_kept_as_sent():
    plain = _pdf()
    clean = check_upload("isee 2026.pdf", plain)
    assert (clean.data, clean.mimetype, clean.ext, clean.name) == (
        plain, "application/pdf", "pdf", "isee 2026.pdf")


def test_uploads_are_refused_or_cleaned_in_the_form(app):
    """Through the real form: an active PDF is refused with a message naming the field; a
    photo with EXIF and a right-to-left-override name is stored re-encoded, with a clean name."""
    a = app()
    with http_server(a) as base:
        r = send(requests.Session(), base, "/domanda/telesoccorso", domanda(),
                 files={"doc-isee": ("isee.pdf", _pdf(_js_open_action), "application/pdf")})
        assert r.status_code == 422
        assert any("parti attive" in e and "ISEE" in e for e in _errors(r.text)), _errors(r.text)
        bomb = send(requests.Session(), base, "/domanda/telesoccorso", domanda(),
                    files={"doc-isee": ("isee.png", _png_bomb(), "image/png")})
        assert bomb.status_code == 422 and any("troppi pixel" in e for e in _errors(bomb.text))
        submit(requests.Session(), base, "/domanda/telesoccorso", domanda(),
               files={"doc-isee": ("\u202egpj.exe", _photo(), "image/jpeg")})
    with a.extensions["carta_sessions"]() as s:
        stored = s.execute(select(Attachment)).scalar_one()
    assert stored.filename == "gpj.exe.jpg" and stored.content_type == "image/jpeg"
    assert b"CameraSegreta" not in stored.content
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """clamd's INSTREAM protocol on a unix socket, just enough to test the client: finds
    "EICAR" in what it is sent."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(8)
        self.scanned: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rb")
                assert f.read(10) == b"zINSTREAM\0"
                data = b""
                while True:
                    (size,) = struct.unpack("!L", f.read(4))
                    if size == 0:
                        break
                    data += f.read(size)
                self.scanned.append(data)
                conn.sendall(b"stream: Eicar-Signature FOUND\0" if b"EICAR" in data
                             else b"stream: OK\0")

    def close(self):
        self.server.close()


def test_clamd_scan_over_instream(tmp_path):
    clamd = FakeClamd(tmp_path / "clamd.ctl")
    try:
        clamd_scan(clamd.path, PDF)
        big = b"%PDF-1.4\n" + os.urandom(200_000)
        clamd_scan(clamd.path, big)  # sent in several chunks
        with pytest.raises(UploadRefused) as found:
            clamd_scan(clamd.path, PDF + EICAR)
        assert found.value.key == "err_file_virus"
        assert clamd.scanned == [PDF, big, PDF + EICAR]
    finally:
        clamd.close()
    with pytest.raises(UploadRefused) as down:
        clamd_scan(str(tmp_path / "nessuno.ctl"), PDF)
    assert down.value.key == "err_file_scan_unavailable"  # fail closed


def test_uploads_are_scanned_when_clamd_is_configured(app, tmp_path):
    clamd = FakeClamd(tmp_path / "clamd.ctl")
    infected = _pdf(comment=b"%" + EICAR)
    a = app(CLAMD_SOCKET=clamd.path)
    try:
        with http_server(a) as base:
            r = send(requests.Session(), base, "/domanda/telesoccorso", domanda(),
                     files={"doc-isee": ("isee.pdf", infected, "application/pdf")})
            assert r.status_code == 422 and any("antivirus" in e for e in _errors(r.text))
            submit(requests.Session(), base, "/domanda/telesoccorso", domanda(),
                   files={"doc-isee": ("isee.pdf", PDF, "application/pdf")})
    finally:
        clamd.close()
    # the clean one is scanned at the fill-in step, and again each time the draft is checked
    assert clamd.scanned[0] == infected and set(clamd.scanned[1:]) == {PDF}


def test_a_real_clamd_finds_eicar():
    path = next((p for p in ("/run/clamav/clamd.ctl", "/var/run/clamav/clamd.ctl")
                 if os.path.exists(p)), None)
    if path is None:
        pytest.skip("clamd is not running here")
    with pytest.raises(UploadRefused) as found:
        clamd_scan(path, EICAR)
    assert found.value.key == "err_file_virus"


@pytest.mark.parametrize("root", [REPO, REPO / "examples" / "accoglienza"])
def test_every_upload_refusal_has_a_message_in_every_language(root):
    from carta.load.charter import load_charter

    keys = ["err_file_type", "err_file_unsafe", "err_file_damaged", "err_file_encrypted",
            "err_file_image_too_large", "err_file_virus", "err_file_scan_unavailable"]
    charter = load_charter(root)
    for lang in charter.district.languages:
        for key in keys[1:]:
            assert key in charter.strings[lang], (root.name, lang, key)
            assert "Ufficio ISEE" in charter.t(lang, key, label="Ufficio ISEE")


# ---------------------------------------------------------------------------------------------
# finding 11: nothing purged survives in the database files


def test_purge_leaves_nothing_in_the_write_ahead_log_or_free_pages(app, tmp_path):
    from form_backend.retention import purge

    surname = "Quagliarulonzo"
    marker = b"%ALLEGATO-DA-CANCELLARE-7f3a9c"
    a = app()
    with http_server(a) as base:
        submit(requests.Session(), base, "/domanda/telesoccorso", domanda(cognome=surname),
               files={"doc-isee": ("isee.pdf", _pdf(comment=marker), "application/pdf")})
        kept, _ = submit(requests.Session(), base, "/reclamo", reclamo(cognome="Restante"))
        instance = tmp_path / "instance"

        def raw() -> bytes:
            return b"".join(p.read_bytes() for p in sorted(instance.glob("carta.db*"))
                            if not p.name.endswith("writer-lock"))

        assert surname.encode() in raw() and marker in raw()  # the test can see them
        sessions = a.extensions["carta_sessions"]
        with sessions.begin() as s:
            s.execute(update(Submission).where(Submission.kind == "domanda")
                      .values(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
        # the server keeps running: its readers and writers hold connections to the file
        assert purge(sessions, 30) == 1
        found = raw()
        assert surname.encode() not in found and marker not in found
        assert b"Restante" in found
        assert requests.get(kept).status_code == 200  # the rest is intact and served
