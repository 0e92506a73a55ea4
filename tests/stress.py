#!/usr/bin/env python3
"""Stress and fault harness (loopback only, bounded): no acknowledged submission is ever lost.

For each database (SQLite, and a real PostgreSQL cluster from Debian's package that the harness
starts and stops) it runs the real backend under gunicorn and drives it from concurrent clients
on 127.0.0.1 with a mixed load: domande d'accesso with a PDF upload and reclami, each filled in,
checked and sent, a failed send retried with the same draft (the idempotency key).  While the
load runs the SMTP server is down, a gunicorn worker is killed with SIGKILL and, on PostgreSQL,
the database server is restarted.  Then SMTP comes up, hostile submissions arrive, and script
and formula injections are followed into the receipt, the office pages, the CSV and the e-mails,
and every attack of issue 12's review that a client can replay (a draft sent under another
scheda, another browser's draft, an expired draft, choices outside the charter, inputs that
once gave a 500, a forged Host header, cacheable receipts; a database readable by others, an
office cookie kept after logout, password guessing, a list of addresses in an e-mail field, a
PDF that runs JavaScript, a disguised file name) must get the answer that closes it.
Separately: the SQLite database's disk fills up, and `carta check` gets hostile YAML.

At the end it reconciles the database with what clients were told (every acknowledged
submission stored exactly once, one office e-mail and one audit entry per record, attachments
with every domanda, numbers unique and gapless per year, each e-mail delivered once) and prints
one summary table.  Exits 1 if any check fails.

Usage: scripts/stress [--db sqlite|postgresql|both] [--submissions 2000] [--clients 32]
                      [--hostile 1000] [--workers 3]
The issue's full run: scripts/stress --submissions 20000 --clients 64 --hostile 10000
(scripts/stress runs this module: python -m tests.stress from the repository root)
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import email
import os
import re
import resource
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from email import policy
from pathlib import Path

import requests

from tests.payloads import PDF, domanda, reclamo
from tests.servers import Postgres, free_port, smtp_sink

REPO = Path(__file__).resolve().parent.parent

OPERATOR, PASSWORD = "stress-operatore", "una-password-molto-lunga"
TODAY = dt.date.today()
LEASE_SECONDS = 15  # the outbox lease on the servers under test (a day's default is 5 min)


def complaint(i: int) -> dict:
    return reclamo(nome=f"Persona{i}", cognome="Prova", email="p@example.org",
                   descrizione=f"Disservizio numero {i}.",
                   **{"data-disservizio": (TODAY - dt.timedelta(days=1)).isoformat()})


def application(i: int) -> dict:
    return domanda(nome=f"Persona{i}", email="m@example.org", **{"documento-numero": f"CA{i:07d}"})


# ---------------------------------------------------------------------------------------------
# the backend under test


class Backend:
    """gunicorn serving the app on one database (SQLite file or a PostgreSQL cluster)."""

    def __init__(self, db: str, tmp: Path, workers: int, smtp_port: int,
                 file_limit: int | None = None, like: Backend | None = None):
        """``like``: serve the same database with the same keys as that backend."""
        self.db, self.tmp, self.workers, self.file_limit = db, tmp, workers, file_limit
        self.pg = None
        if like is not None:
            self.url = like.url
        elif db == "postgresql":
            self.pg = Postgres()
            self.pg.start()
            self.url = self.pg.new_database("stress")
        else:
            self.url = f"sqlite:///{tmp / 'stress.db'}"
        from cryptography.fernet import Fernet

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "CARTA_ROOT": str(REPO), "CARTA_DATABASE_URL": self.url,
                    "CARTA_SECRET_KEY": "stress",
                    "CARTA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                    "CARTA_SMTP_HOST": "127.0.0.1", "CARTA_SMTP_PORT": str(smtp_port),
                    "CARTA_OUTBOX_INTERVAL": "1", "CARTA_OUTBOX_LEASE": str(LEASE_SECONDS),
                    "CARTA_RATELIMIT_SUBMIT": "100000000 per minute",
                    "CARTA_SITE_DIR": str(tmp), "CARTA_OFFICE_EMAIL": "ufficio@example.org",
                    "CARTA_NEW_PASSWORD": PASSWORD}
        if like is not None:
            self.env["CARTA_ENCRYPTION_KEY"] = like.env["CARTA_ENCRYPTION_KEY"]
        self.server: subprocess.Popen | None = None

    def carta(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "carta", *args, "--root", str(REPO)],
                       env=self.env, check=True, capture_output=True, timeout=300)

    def start(self, migrate: bool = True) -> Backend:
        if migrate:
            self.carta("db", "upgrade")
            self.carta("users", "add", OPERATOR)
        limit = self.file_limit

        def limits():  # a full disk for the database: no file may grow past ``limit``
            if limit:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-k", "gthread",
             "--threads", "4", "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5",
             "form_backend.wsgi:app"],
            env={**self.env, "CARTA_AUTO_MIGRATE": "false"}, stdout=subprocess.DEVNULL,
            # with a file-size limit the log could not grow either: no log file then
            stderr=subprocess.DEVNULL if limit else
            open(self.tmp / f"gunicorn-{self.db}-{self.port}.log", "ab"),  # noqa: SIM115
            preexec_fn=limits)
        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("the backend did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.server = None

    def engine(self):
        from sqlalchemy import create_engine

        return create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"))

    def workers_pids(self) -> list[int]:
        """Child processes of the gunicorn master (read from /proc: no procps needed)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if self.server and int(fields[1]) == self.server.pid:
                children.append(int(stat.parent.name))
        return sorted(children)


# ---------------------------------------------------------------------------------------------
# the load


class Load:
    """Clients that fill in, check and send; a failed send is retried with the same draft."""

    def __init__(self, base: str, deadline: float):
        self.base, self.deadline = base, deadline
        self.local = threading.local()
        self.lock = threading.Lock()
        self.latency: list[float] = []
        self.statuses: collections.Counter = collections.Counter()
        self.unhinted_503 = 0  # a 503 without Retry-After or without the explanation page
        self.receipts: list[str] = []
        self.kinds: collections.Counter = collections.Counter()
        self.failures = 0
        # sends that never got an answer, to retry later from the browser that made the draft
        # (a draft answers only the browser holding its cookie)
        self.pending_drafts: list[tuple[str, requests.Session, str]] = []

    def session(self):
        if not hasattr(self.local, "s"):
            s = requests.Session()
            page = s.get(self.base + "/reclamo", timeout=60).text
            self.local.s = s
            self.local.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                         page).group(1)
        return self.local.s, self.local.token

    def post(self, url: str, data: dict, files=None) -> requests.Response | None:
        s, _ = self.session()
        start = time.perf_counter()
        try:
            r = s.post(url, data=data, files=files, allow_redirects=False, timeout=90)
        except requests.RequestException:
            with self.lock:
                self.statuses["connection-error"] += 1
            return None
        with self.lock:
            self.latency.append(time.perf_counter() - start)
            self.statuses[r.status_code] += 1
            if r.status_code == 503 and not (r.headers.get("Retry-After")
                                             and "<h1" in r.text):
                self.unhinted_503 += 1
        return r

    def retrying(self, attempt) -> requests.Response | None:
        """Call ``attempt`` until it is answered 303, backing off up to ~40 s in all."""
        pause = 0.25
        for _ in range(30):
            r = attempt()
            if r is not None and r.status_code == 303:
                return r
            if (r is not None and r.status_code not in (503, 502, 429)) or \
                    time.monotonic() > self.deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 1.6, 3.0)
        return None

    def one(self, i: int) -> None:
        session, token = self.session()
        kind = "domanda" if i % 4 == 0 else "reclamo"
        if kind == "domanda":
            r = self.retrying(lambda: self.post(
                self.base + "/domanda/telesoccorso",
                {**application(i), "csrf_token": token},
                files={"doc-isee": (f"isee-{i}.pdf", PDF, "application/pdf")}))
        else:
            r = self.retrying(lambda: self.post(self.base + "/reclamo",
                                                {**complaint(i), "csrf_token": token}))
        if r is None:
            with self.lock:
                self.failures += 1
            return
        check = self.base + r.headers["Location"].split("?")[0]
        done = self.retrying(lambda: self.post(check, {"csrf_token": token}))
        with self.lock:
            if done is None:
                self.failures += 1
                self.pending_drafts.append((check, session, token))
            else:
                self.receipts.append(done.headers["Location"].split("?")[0].rsplit("/", 1)[1])
                self.kinds[kind] += 1


def reconcile(backend: Backend, load: Load, received: list[str]) -> dict[str, bool]:
    """What the database holds against what the clients were told."""
    from sqlalchemy import text

    engine = backend.engine()
    with engine.connect() as c:
        records = c.execute(text("select idempotency_key, year, seq, kind, id "
                                 "from submissions")).all()
        mails = dict(c.execute(text("select submission_id, count(*) from outbox "
                                    "where recipient = 'ufficio@example.org' "
                                    "group by submission_id")).all())
        audited = set(c.execute(text("select distinct submission_id from audit")).scalars())
        with_files = set(c.execute(text("select distinct submission_id from attachments "
                                        "where submission_id is not null")).scalars())
        outbox_ids = set(str(x) for x in c.execute(text("select id from outbox")).scalars())
    engine.dispose()
    keys = collections.Counter(r[0] for r in records)
    acked = collections.Counter(load.receipts)
    seqs = collections.defaultdict(list)
    for r in records:
        seqs[r[1]].append(r[2])
    unacked = set(keys) - set(acked)
    twice = sorted(k for k, n in collections.Counter(received).items() if n > 1)
    missing = sorted(outbox_ids - set(received))
    if twice or missing or unacked:  # name them: a FAIL line alone cannot be investigated
        print(f"  e-mails delivered twice: {len(twice)} {twice[:10]}; never delivered: "
              f"{len(missing)} {missing[:10]}; records never acknowledged: {len(unacked)}",
              flush=True)
    return {
        "every acknowledged submission stored exactly once":
            all(keys[k] == 1 for k in acked) and all(n == 1 for n in acked.values()),
        # a record nobody was told about can only come from a send whose answer was lost
        # (a killed worker, a timeout); its draft is retried below and must find it
        "every record was acknowledged": not unacked,
        "protocol numbers unique and gapless per year":
            all(sorted(v) == list(range(1, len(v) + 1)) for v in seqs.values()),
        "no half-written record (office e-mail, audit entry, domanda attachment)":
            all(mails.get(r[4]) == 1 and r[4] in audited
                and (r[3] != "domanda" or r[4] in with_files) for r in records),
        "each e-mail delivered exactly once": not twice and set(received) == outbox_ids,
    }


def drain_outbox(backend: Backend, deadline: float) -> int | None:
    """Wait until /healthz reports an empty outbox; returns the last backlog seen."""
    from sqlalchemy.orm import sessionmaker

    from form_backend.outbox import retry_now

    backlog = None
    engine = backend.engine()
    while time.monotonic() < deadline:
        try:
            backlog = requests.get(backend.base + "/healthz", timeout=10).json()["outbox_backlog"]
        except (requests.RequestException, ValueError, KeyError):
            backlog = None
        if backlog == 0:
            break
        time.sleep(1)
        # rows that failed while SMTP was down wait for a back-off of up to an hour: end it,
        # as office staff would with `carta outbox send --now` (a row a sender holds keeps its
        # claim; the claim of a sender that died ends after the short lease)
        retry_now(sessionmaker(engine))
    engine.dispose()
    return backlog


# ---------------------------------------------------------------------------------------------
# hostile and injected submissions


NASTY = ["99", "-1", "abc",  # choices and counts outside the charter (issue 12 #7)
         "\u202e\u2066evil", "\x00\x01\x1b[31m", "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)",
         "<script>alert(1)</script>", "' OR 1=1 --", "Robert\r\nBcc: x@example.org",
         "A" * 100_000, "𝕏" * 500, "../../etc/passwd", "%00", "{{7*7}}"]
def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack("!I", len(body)) + kind + body + struct.pack("!I", zlib.crc32(kind + body))


UPLOADS = [b"GIF89a<script>", b"%PDF-1.4" + b"\0" * 10,
           b"PK\x03\x04" + b"\0" * 26 + b"A" * 4000,  # zip-like, highly compressible
           b"\x89PNG\r\n\x1a\n<?php ?>", b"", b"%PDF-1.4\n" + b"<html><script>x</script>",
           # issue 12, finding 10: a PDF that runs JavaScript when opened, a PNG whose header
           # promises 900 million pixels, HTML before a PDF (all refused by parsing: 422)
           PDF.replace(b"/Pages 2 0 R>>", b"/Pages 2 0 R/OpenAction<</S/JavaScript/JS(1)>>>>"),
           b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack("!IIBBBBB", 30000, 30000, 1,
                                                              0, 0, 0, 0))
           + _png_chunk(b"IDAT", zlib.compress(b"\0" * 30008)) + _png_chunk(b"IEND", b""),
           b"<html><body>x</body></html>\n" + PDF]


def hostile(base: str, n: int, clients: int = 4, seed: int = 13) -> dict:
    """Mutated and malicious submissions: the status codes, how many 4xx came without an
    explanation (every one must name what is wrong: an error summary or an error page), and
    which got another status than their fault calls for (413 too large, 400 forged token or
    a filled honeypot, 404 no such page, 422 invalid answers)."""
    import random

    codes: collections.Counter = collections.Counter()
    unexplained = collections.Counter()
    wrong: collections.Counter = collections.Counter()  # (fault, path, status, page title)
    lock = threading.Lock()
    fields = list(complaint(0)) + list(application(0)) + ["standard", "ufficio", "extra",
                                                          "lang", "website", "par-fascia-isee",
                                                          "par-partner-detenuto", HEALTH]

    def worker(w: int) -> None:
        rnd = random.Random(seed + w)
        s = requests.Session()
        page = s.get(base + "/domanda/telesoccorso", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        for _ in range(w, n, clients):
            forms = ["/reclamo", "/domanda/telesoccorso", "/domanda/prima-infanzia"]
            path = rnd.choice([*forms, "/domanda/" + "x" * rnd.randint(1, 300),
                               "/reclamo/controlla/" + "x" * rnd.randint(1, 80)])
            data = {f: rnd.choice([*NASTY, str(rnd.random())])
                    for f in rnd.sample(fields, rnd.randint(1, 12))}
            kind = rnd.randint(0, 7)
            kwargs: dict = {"timeout": 60, "allow_redirects": False}
            data["csrf_token"] = rnd.choice(["", "forged", token[::-1]]) if kind == 0 else token
            if kind == 1:  # invalid UTF-8 under several content types
                kwargs["data"] = b"nome=\xff\xfe%ZZ&csrf_token=" + token.encode()
                kwargs["headers"] = {"Content-Type": rnd.choice(
                    ["application/x-www-form-urlencoded", "text/plain", "application/json",
                     "multipart/form-data; boundary=x"])}
            elif kind == 2:  # repeated fields
                kwargs["data"] = [(k, v) for k, v in data.items()] * rnd.randint(2, 50)
            elif kind == 3:  # polyglot and zip-like uploads, odd file names
                kwargs["data"] = data
                kwargs["files"] = {"doc-isee": (rnd.choice(["x.pdf", "../../x.pdf", "\u202ex.pdf",
                                                            "a" * 500]),
                                                rnd.choice(UPLOADS), "application/pdf")}
            elif kind == 4 and rnd.random() < 0.2:  # an oversized body (some of them)
                kwargs["data"] = {**data, "descrizione": "x" * (13 << 20)}
            elif kind == 5:  # a huge but allowed-size field
                kwargs["data"] = {**data, rnd.choice(fields): "é" * rnd.randint(10_000, 500_000)}
            else:
                kwargs["data"] = data
            timeout = kwargs.pop("timeout")
            allow = kwargs.pop("allow_redirects")
            prepared = s.prepare_request(requests.Request("POST", base + path, **kwargs))
            if len(prepared.body or b"") > MAX_BODY:  # whatever it carries, too large comes first
                kind = 8
            try:
                r = s.send(prepared, timeout=timeout, allow_redirects=allow)
            except requests.RequestException:
                with lock:
                    codes["connection-error"] += 1
                continue
            # the status the fault calls for: too large before anything else, then a forged
            # token, then a page that does not exist, then the form's own validation
            if kind == 8:
                expected = {413}
            elif kind == 0:
                expected = {400}
            elif kind == 1:  # 400 when the body cannot carry the token, else as below
                expected = {400, 422 if path in forms else 404}
            elif path in forms and honeypot(kwargs["data"]):
                expected = {400}  # the honeypot was filled in: a bare 400 for bots
            else:
                expected = {422 if path in forms else 404}
            explained = "<h1" in r.text and (r.status_code != 422 or "error-summary" in r.text)
            with lock:
                codes[r.status_code] += 1
                if 400 <= r.status_code < 500 and not explained:
                    unexplained[r.status_code] += 1
                if r.status_code not in expected:
                    title = re.search(r"<h1[^>]*>(.*?)</h1>", r.text, re.S)
                    wrong[(FAULTS[kind], "form" if path in forms else path.split("/")[1],
                           r.status_code, title.group(1).strip() if title else "")] += 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    if wrong:
        print(f"  hostile requests answered with another status than their fault calls for: "
              f"{dict(wrong)}", flush=True)
    return {"codes": codes, "unexplained": unexplained, "wrong": wrong}


MAX_BODY = 12 * 1024 * 1024  # the backend's default CARTA_MAX_CONTENT_LENGTH


def honeypot(sent: dict | list) -> bool:
    """The hidden field only bots fill in was filled in (a dict, or repeated pairs)."""
    return any(k == "website" and v for k, v in (sent.items() if isinstance(sent, dict)
                                                  else sent))


FAULTS = ["forged CSRF token", "invalid UTF-8", "repeated fields", "polyglot upload",
          "nasty values", "huge field", "nasty values", "nasty values", "oversized body"]


# (right-to-left overrides and control characters are refused outright, with a message naming
# the field: the hostile run sends those)
INJECTIONS = ["<script>alert('x')</script>", "=HYPERLINK(\"http://evil\")", "+SUM(1,2)",
              "-2+3", "@cmd", "<img src=x onerror=alert(1)>", "\"; DROP TABLE submissions; --"]


def injections(backend: Backend, received_raw: list[bytes],
               acknowledged: list[str]) -> dict[str, bool]:
    """Script and formula injections in valid submissions stay inert everywhere they show."""
    import csv
    import io

    from sqlalchemy import bindparam, text

    base = backend.base
    s = requests.Session()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      s.get(base + "/reclamo", timeout=30).text).group(1)
    receipts = []
    mailed_before = len(received_raw)
    for i, payload in enumerate(INJECTIONS):
        data = {**complaint(90_000 + i), "descrizione": payload + " descrizione",
                "indirizzo": payload[:60], "cognome": payload[:60], "copia-email": "y",
                "csrf_token": token}
        r = s.post(base + "/reclamo", data=data, allow_redirects=False, timeout=30)
        if r.status_code != 303:
            errors = re.findall(r'<li><a href="#[^"]+">([^<]+)</a>', r.text)
            return {f"injected submission accepted ({payload!r}: {r.status_code} {errors})":
                    False}
        check = base + r.headers["Location"].split("?")[0]
        page = s.get(base + r.headers["Location"], timeout=30).text
        done = s.post(check, data={"csrf_token": token}, allow_redirects=False, timeout=30)
        if done.status_code != 303:
            return {"injected submissions stored": False}
        acknowledged.append(done.headers["Location"].split("?")[0].rsplit("/", 1)[1])
        receipts.append((page, s.get(base + done.headers["Location"], timeout=30).text))
    engine = backend.engine()
    with engine.connect() as c:
        ids = c.execute(text("select id from submissions where idempotency_key in :k")
                        .bindparams(bindparam("k", expanding=True)),
                        {"k": acknowledged[-len(INJECTIONS):]}).scalars().all()
    engine.dispose()
    op = requests.Session()
    t = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                  op.get(base + "/ufficio/login", timeout=30).text).group(1)
    listing = op.post(base + "/ufficio/login", data={"csrf_token": t, "name": OPERATOR,
                                                     "password": PASSWORD}, timeout=30).text
    details = [op.get(f"{base}/ufficio/{i}", timeout=30).text for i in ids]
    exported = op.get(base + "/ufficio/export.csv", timeout=120).content.decode("utf-8-sig")
    pages = [p for pair in receipts for p in pair] + [listing] + details
    raw_markup = ("<script>alert", "<img src=x")
    cells = [cell for row in csv.reader(io.StringIO(exported), delimiter=";") for cell in row]
    deadline = time.monotonic() + 60
    # e-mails carry no personal data (a link to the office page instead): wait for the
    # office notice and the citizen's copy of each injected submission
    expected = mailed_before + 2 * len(INJECTIONS)
    while time.monotonic() < deadline and len(received_raw) < expected:
        time.sleep(1)
    messages = [email.message_from_bytes(m, policy=policy.default) for m in received_raw]
    for p in pages:
        for m in raw_markup:
            if m in p:
                at = p.index(m)
                print(f"  raw markup in a page: ...{p[max(0, at - 200):at + 80]!r}", flush=True)
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    if formulas:
        print(f"  formula cells in the CSV: {formulas[:5]}", flush=True)
    if len(details) != len(INJECTIONS):
        print(f"  office pages found {len(details)} of {len(INJECTIONS)}", flush=True)
    return {
        "injected submissions accepted (the text is the citizen's, kept as written)": True,
        "script inert in check page, receipt and office pages":
            not any(m in p for p in pages for m in raw_markup)
            and len(details) == len(INJECTIONS)
            and any("&lt;script&gt;" in d for d in details),  # shown, as text
        "no formula cell in the CSV (=, +, -, @ neutralised)":
            not any(c[:1] in ("=", "+", "-", "@") for c in cells)
            and "'=HYPERLINK" in exported,
        "no header injection in the e-mails":
            all(len(m.get_all("To", [])) == 1 and m.get("Bcc") is None
                and "\n" not in str(m["Subject"]) for m in messages) and bool(messages),
    }


# ---------------------------------------------------------------------------------------------
# issue 12's attack review, replayed: every finding a client can reproduce, against the answer
# that closes it


DRAFT_COOKIE = "carta_draft"
ATTACKS_STORED = 1  # records issue12() stores (the send with a forged Host)
HEALTH = "par-invalidita-oltre-72"  # a disability answer asked only by progetto-benessere


def multipart(fields: list[tuple[str, bytes, bytes | None]]) -> tuple[bytes, str]:
    """A multipart body written byte by byte (clients escape what an attacker would not):
    (name, value, file name or None)."""
    boundary = b"carta-stress-boundary"
    body = b""
    for name, value, filename in fields:
        body += b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
        body += (b'"; filename="' + filename + b'"\r\nContent-Type: application/pdf'
                 if filename is not None else b'"')
        body += b"\r\n\r\n" + value + b"\r\n"
    return body + b"--" + boundary + b"--\r\n", f"multipart/form-data; boundary={boundary.decode()}"


def issue12(backend: Backend, acknowledged: list[str]) -> dict[str, bool]:
    """Findings 2, 4, 6, 7 and 9 of issue 12, each attack expecting the answer that closes it
    (the e-mail of the one record it stores is checked once delivered, see below)."""
    from sqlalchemy import bindparam, text

    base = backend.base
    failed: list[str] = []

    def browser(host: str | None = None) -> tuple[requests.Session, str]:
        s = requests.Session()
        if host:  # every request of this browser names that host (cookies follow it)
            s.headers["Host"] = host
        page = s.get(base + "/reclamo", timeout=30).text
        return s, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def expect(name: str, r: requests.Response, statuses: set[int], absent=()) -> bool:
        ok = r.status_code in statuses and not any(a in r.text for a in absent)
        if not ok:
            failed.append(f"{name}: {r.status_code}")
        return ok

    def fill(s, token, path, data, files=None) -> str:
        r = s.post(base + path, data={**data, "csrf_token": token}, files=files,
                   allow_redirects=False, timeout=60)
        if r.status_code != 303:
            failed.append(f"fill {path}: {r.status_code}")
            return path + "/controlla/none"
        return r.headers["Location"].split("?")[0]

    def secret(s, check) -> str:
        return next((c.value for c in s.cookies if c.name == DRAFT_COOKIE and c.path == check), "")

    pdf = ("isee.pdf", PDF, "application/pdf")
    own, token = browser()
    # 2: a draft sent under another scheda or form, with its cookie handed over by the attacker
    benessere = fill(own, token, "/domanda/progetto-benessere", {**application(1), HEALTH: "y"},
                     {"doc-isee": pdf, "doc-richiesta-prestazioni-agevolate": pdf})
    adult = fill(own, token, "/domanda/telesoccorso", application(2), {"doc-isee": pdf})
    complaint_draft = fill(own, token, "/reclamo", complaint(3))
    mismatches = [(benessere, "/domanda/telesoccorso"), (adult, "/domanda/prima-infanzia"),
                  (adult, "/domanda/segretariato-sociale"), (complaint_draft, "/domanda/telesoccorso"),
                  (adult, "/reclamo")]
    refused = all([expect(f"draft {check.split('/')[2]} sent under {elsewhere}", own.post(
        f"{base}{elsewhere}/controlla/{check.rsplit('/', 1)[1]}", data={"csrf_token": token},
        cookies={DRAFT_COOKIE: secret(own, check)}, allow_redirects=False, timeout=60), {404})
        for check, elsewhere in mismatches])
    engine = backend.engine()
    with engine.connect() as c:
        keys = [check.rsplit("/", 1)[1] for check, _ in mismatches]
        sneaked = c.execute(text("select count(*) from submissions where idempotency_key in :k")
                            .bindparams(bindparam("k", expanding=True)), {"k": keys}).scalar()
    # 6: another browser holding the URL; a draft a day old
    other, other_token = browser()
    bound = expect("check page from another browser", other.get(base + benessere, timeout=30),
                   {404}, absent=("Rossi", "72%")) and expect(
        "send from another browser", other.post(base + benessere, data={"csrf_token": other_token},
                                                allow_redirects=False, timeout=30), {404})
    old = fill(own, token, "/reclamo", complaint(4))
    with engine.begin() as c:
        c.execute(text("update drafts set created_at = :t where id = :id"),
                  {"t": dt.datetime.now(dt.UTC) - dt.timedelta(days=400),
                   "id": old.rsplit("/", 1)[1]})
    expired = expect("draft back-dated 400 days", own.get(base + old, timeout=30), {410},
                     absent=("Persona4",))
    # 7: choices outside the charter, and inputs that gave a 500
    choices = [("/domanda/telesoccorso", {"comune": "<script>alert(1)</script>"}, "comune"),
               ("/domanda/telesoccorso", {"par-fascia-isee": "99"}, "par-fascia-isee"),
               ("/domanda/telesoccorso", {"par-fascia-isee": "abc"}, "par-fascia-isee"),
               ("/reclamo", {"servizio": "<img src=x onerror=alert(1)>"}, "servizio"),
               ("/reclamo", {"ufficio": "zzz"}, "ufficio")]
    checked = all([expect(f"{field}={answer[field]!r}", _post_form(
        own, base + path, {**(application(5) if path != "/reclamo" else complaint(5)), **answer,
                           "csrf_token": token},
        {"doc-isee": pdf} if path != "/reclamo" else None, field), {422})
        for path, answer, field in choices])
    text_file = multipart([*[(k, v.encode(), None) for k, v in application(6).items()
                             if k != "cognome"], ("cognome", b"Rossi", b"cognome.txt"),
                           ("doc-isee", PDF, b"isee.pdf"), ("csrf_token", token.encode(), None)])
    nul_name = multipart([*[(k, v.encode(), None) for k, v in application(7).items()],
                          ("doc-isee", PDF, b"is\x00ee.pdf"), ("csrf_token", token.encode(), None)])
    hostile_ok = all([
        expect("a file in a text field", own.post(base + "/domanda/telesoccorso", data=text_file[0],
                                                 headers={"Content-Type": text_file[1]},
                                                 allow_redirects=False, timeout=60), {422}),
        expect("NUL in an upload's name", own.post(base + "/domanda/telesoccorso", data=nul_name[0],
                                                  headers={"Content-Type": nul_name[1]},
                                                  allow_redirects=False, timeout=60), {303, 422}),
        expect("a JSON body", own.post(base + "/reclamo", data=b"[1, 2]", headers={
            "Content-Type": "application/json", "X-CSRFToken": token}, timeout=30), {400, 422}),
        expect("GET /%00", own.get(base + "/%00", timeout=30), {404}),
        expect("a 256-character path segment", own.get(base + "/" + "a" * 256, timeout=30), {404}),
        expect("a 256-character form name", own.get(base + "/domanda/" + "a" * 256, timeout=30),
               {404})])
    # 4: a forged Host header at the send (the harness sets no PUBLIC_URL: loopback only)
    forger, forger_token = browser(host="ufficio-login.evil.example")
    forged = fill(forger, forger_token, "/reclamo", complaint(8))
    sent = forger.post(base + forged, data={"csrf_token": forger_token}, allow_redirects=False,
                       timeout=60)
    host_ok = expect("send with a forged Host", sent, {303})
    if host_ok:
        acknowledged.append(forged.rsplit("/", 1)[1])
    # 9: what a browser may keep, and the CSP
    receipt = base + sent.headers.get("Location", "/ricevuta/x").split("?")[0]
    pdf_answer = forger.get(receipt + ".pdf", timeout=120)
    csp = own.get(base + "/reclamo", timeout=30).headers.get("Content-Security-Policy", "")
    headers_ok = pdf_answer.headers.get("Cache-Control") == "no-store" and \
        "unsafe-inline" not in csp and "style-src 'self'" in csp
    if not headers_ok:
        failed.append(f"receipt PDF Cache-Control {pdf_answer.headers.get('Cache-Control')!r}, "
                      f"CSP {csp!r}")
    with engine.connect() as c:
        mails = c.execute(text("select o.body from outbox o join submissions s on "
                               "s.id = o.submission_id where s.idempotency_key = :k"),
                          {"k": forged.rsplit("/", 1)[1]}).scalars().all()
    engine.dispose()
    host_ok = host_ok and bool(mails) and not any("evil" in m for m in mails)
    if failed:
        print(f"  issue 12 attacks answered otherwise than closed: {failed}", flush=True)
    return {
        "issue 12 #2: a draft sent under another scheda or form is refused, nothing stored":
            refused and sneaked == 0,
        "issue 12 #6: another browser gets 404 on a check page, an old draft 410": bound and expired,
        "issue 12 #7: choices checked against the charter, hostile input gets a 4xx":
            checked and hostile_ok,
        "issue 12 #4: a forged Host header never reaches an e-mail": host_ok,
        "issue 12 #9: no-store on the receipt PDF, no inline style or script in the CSP":
            headers_ok,
    }


def issue12_at_rest_and_office(backend: Backend) -> dict[str, bool]:
    """Findings 1, 3, 5, 8 and 10 of issue 12 (parts B and C), replayed from outside: the
    database file's mode, an office cookie copied before logout, wrong passwords in a row, a
    list of addresses in an e-mail field, a PDF that runs JavaScript and a disguised name."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject
    from sqlalchemy import text

    base = backend.base
    failed: list[str] = []
    results: dict[str, bool] = {}
    if backend.db == "sqlite":  # 1: nobody but the owner reads the database or its log
        path = Path(backend.url.split("///", 1)[1])
        loose = [p.name for p in (path, Path(f"{path}-wal")) if p.exists()
                 and p.stat().st_mode & 0o077]
        results["issue 12 #1: the SQLite database and its log are owner-only"] = not loose
        if loose:
            failed.append(f"readable by others: {loose}")

    def login(name: str, password: str) -> tuple[requests.Session, requests.Response]:
        s = requests.Session()
        page = s.get(base + "/ufficio/login", timeout=30).text
        t = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        return s, s.post(base + "/ufficio/login", data={"csrf_token": t, "name": name,
                                                        "password": password},
                         allow_redirects=False, timeout=60)

    # 3: an office cookie copied before logout opens nothing after it
    s, r = login(OPERATOR, PASSWORD)
    stolen = requests.Session()
    for c in s.cookies:
        stolen.cookies.set_cookie(c)
    opened = stolen.get(base + "/ufficio/", allow_redirects=False, timeout=30).status_code
    t = re.search(r'name="csrf_token" value="([^"]+)"',
                  s.get(base + "/ufficio/", timeout=30).text)
    out = s.post(base + "/ufficio/logout", data={"csrf_token": t.group(1) if t else ""},
                 allow_redirects=False, timeout=30)
    after = stolen.get(base + "/ufficio/", allow_redirects=False, timeout=30).status_code
    results["issue 12 #3: an office cookie copied before logout opens nothing after it"] = \
        r.status_code == 303 and opened == 200 and out.status_code == 303 and after != 200
    if not results["issue 12 #3: an office cookie copied before logout opens nothing after it"]:
        failed.append(f"office login {r.status_code}, copy {opened}, logout "
                      f"{out.status_code}, copy after logout {after}")
    # 5: five wrong passwords lock the account (its right password is refused then)
    backend.carta("users", "add", "stress-lockout")
    wrong = [login("stress-lockout", f"sbagliata-{i}")[1].status_code for i in range(5)]
    right = login("stress-lockout", PASSWORD)[1].status_code
    engine = backend.engine()
    with engine.connect() as c:
        locked = c.execute(text("select count(*) from office_log "
                                "where action = 'login-locked'")).scalar()
    results["issue 12 #5: wrong passwords in a row lock the account"] = \
        all(w in (401, 429) for w in wrong) and right != 303 and locked > 0
    if not results["issue 12 #5: wrong passwords in a row lock the account"]:
        failed.append(f"lockout: wrong {wrong}, then right {right}, locked entries {locked}")
    # 8: one strict address per e-mail field
    s = requests.Session()
    t = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                  s.get(base + "/reclamo", timeout=30).text).group(1)
    listed = s.post(base + "/reclamo", data={**complaint(9), "email": "p,postmaster@example.org",
                                            "copia-email": "y", "csrf_token": t},
                    allow_redirects=False, timeout=30)
    results["issue 12 #8: one strict address per e-mail field"] = listed.status_code == 422 \
        and 'href="#email"' in listed.text
    if listed.status_code != 422:
        failed.append(f"p,postmaster@example.org: {listed.status_code}")
    # 10: a PDF that runs JavaScript is refused; a disguised name is shown cleaned
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)")})
    scripted = io.BytesIO()
    writer.write(scripted)
    js = s.post(base + "/domanda/telesoccorso", data={**application(10), "csrf_token": t},
                files={"doc-isee": ("isee.pdf", scripted.getvalue(), "application/pdf")},
                allow_redirects=False, timeout=60)
    disguised = s.post(base + "/domanda/telesoccorso", data={**application(11), "csrf_token": t},
                       files={"doc-isee": ("\u202egpj.exe", PDF, "application/pdf")},
                       allow_redirects=False, timeout=60)
    shown = s.get(base + disguised.headers.get("Location", "/"), timeout=30).text \
        if disguised.status_code == 303 else ""
    results["issue 12 #10: a PDF with JavaScript is refused, a disguised name is cleaned"] = \
        js.status_code == 422 and disguised.status_code in (303, 422) \
        and "\u202e" not in shown
    if not results["issue 12 #10: a PDF with JavaScript is refused, a disguised name is cleaned"]:
        failed.append(f"PDF with JavaScript {js.status_code}, disguised name "
                      f"{disguised.status_code}")
    engine.dispose()
    if failed:
        print(f"  issue 12 (at rest, office) answered otherwise than closed: {failed}",
              flush=True)
    return results


def _post_form(s, url, data, files, field) -> requests.Response:
    """POST a form; a 422 counts only with a message linked to ``field`` (else 0)."""
    r = s.post(url, data=data, files=files, allow_redirects=False, timeout=60)
    if r.status_code == 422 and f'href="#{field}"' not in r.text:
        r.status_code = 0
    return r


# ---------------------------------------------------------------------------------------------
# scenarios


def load_scenario(db: str, args, tmp: Path, table: list) -> bool:
    """Load with SMTP down, a worker killed, PostgreSQL restarted; then hostile input."""
    smtp_port = free_port()
    backend = Backend(db, tmp, args.workers, smtp_port)
    deadline = time.monotonic() + args.max_seconds
    try:
        backend.start()
        load = Load(backend.base, deadline)
        events: dict[str, object] = {}

        def chaos():
            # kill -9 a worker once a tenth of the load is acknowledged; restart PostgreSQL at 40 %
            while len(load.receipts) < args.submissions // 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            victims = backend.workers_pids()
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                events["killed"] = victims[0]
            if backend.pg is not None:
                while len(load.receipts) < args.submissions * 4 // 10 and \
                        time.monotonic() < deadline:
                    time.sleep(0.05)
                before = dict(load.statuses)
                t0 = time.monotonic()
                backend.pg.restart(down_seconds=2)
                events["pg_restart_s"] = time.monotonic() - t0
                events["pg_before"] = before

        print(f"[{db}] {args.submissions} submissions (1 in 4 a domanda with a PDF), "
              f"{args.clients} clients, gunicorn {args.workers} workers x 4 threads; SMTP down; "
              "kill -9 of a worker" + ("; PostgreSQL restarted" if backend.pg else ""),
              flush=True)
        start = time.perf_counter()
        chaos_thread = threading.Thread(target=chaos, daemon=True)
        chaos_thread.start()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            list(pool.map(load.one, range(args.submissions)))
        wall = time.perf_counter() - start
        chaos_thread.join(timeout=1)
        replaced = len(backend.workers_pids()) == args.workers and \
            events.get("killed") not in backend.workers_pids()
        # sends whose answer was lost: the same draft again must find the stored record
        for check, s, token in load.pending_drafts:
            r = s.post(check, data={"csrf_token": token}, allow_redirects=False, timeout=60)
            if r.status_code == 303:
                load.receipts.append(r.headers["Location"].split("?")[0].rsplit("/", 1)[1])
        with smtp_sink(smtp_port) as raw:
            backlog = drain_outbox(backend, deadline)
            inject = injections(backend, raw, load.receipts)
            attacks = issue12(backend, load.receipts)
            attacks.update(issue12_at_rest_and_office(backend))
            backlog = drain_outbox(backend, deadline) if backlog == 0 else backlog
        received = [re.search(rb"X-Carta-Outbox-Id: (\d+)", m).group(1).decode() for m in raw]
        junk = hostile(backend.base, args.hostile)
        checks = reconcile(backend, load, received)
        lat = sorted(load.latency) or [0.0]
        requests_n = sum(load.statuses.values())
        server_errors = {c: n for c, n in load.statuses.items()
                         if isinstance(c, int) and c >= 500 and c != 503}
        checks.update({
            "outbox drained after SMTP came back": backlog == 0,
            "a killed worker was replaced": "killed" in events and replaced,
            "no 5xx other than 503 during the load": not server_errors,
            "every 503 had Retry-After and the explanation page": load.unhinted_503 == 0,
            "every submission acknowledged in the end (retries included)":
                len(set(load.receipts)) == args.submissions + len(INJECTIONS) + ATTACKS_STORED,
        })
        if backend.pg is not None:
            checks["PostgreSQL restarted mid-load"] = "pg_restart_s" in events
        checks.update(inject)
        checks.update(attacks)
        checks["no 5xx for hostile input"] = not any(
            isinstance(c, int) and c >= 500 for c in junk["codes"])
        checks["every hostile 4xx explained (error summary or error page)"] = \
            not junk["unexplained"]
        checks["every hostile request got the 4xx its fault calls for"] = not junk["wrong"]
        checks["hostile input: no connection dropped"] = not junk["codes"].get("connection-error")
        figures = (f"{args.submissions} submitted ({dict(load.kinds)}), {requests_n} requests, "
                   f"{requests_n / wall:.0f} req/s, p50 {statistics.median(lat) * 1000:.0f} ms, "
                   f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.0f} ms; status "
                   f"{dict(sorted(load.statuses.items(), key=str))}; "
                   f"acknowledged {len(load.receipts)}, e-mails {len(received)}")
        if "pg_restart_s" in events:
            figures += f"; PostgreSQL down {events['pg_restart_s']:.1f} s"
        table.append((f"load + faults ({db})", all(checks.values()), figures))
        table.append((f"issue 12 attacks ({db})", all(attacks.values()),
                      f"{len(attacks)} findings replayed, "
                      f"{sum(attacks.values())} closed"))
        table.append((f"hostile submissions ({db})", checks["no 5xx for hostile input"] and
                      checks["every hostile 4xx explained (error summary or error page)"] and
                      checks["every hostile request got the 4xx its fault calls for"],
                      f"{sum(junk['codes'].values())} sent; status "
                      f"{dict(sorted(junk['codes'].items(), key=str))}"))
        for name, passed in checks.items():
            print(f"  {'PASS' if passed else 'FAIL'}  {name}", flush=True)
        return all(checks.values())
    finally:
        backend.stop()
        if backend.pg is not None:
            backend.pg.stop()


def disk_full_scenario(args, tmp: Path, table: list) -> bool:
    """The SQLite database's disk fills up mid-load: a clear 503, nothing acknowledged that
    was not stored; once there is room again the same drafts are sent exactly once."""
    folder = tmp / "full"
    folder.mkdir()
    first = Backend("sqlite", folder, 2, free_port())
    first.start()
    first.stop()
    db = Path(first.url.removeprefix("sqlite:///"))
    limit = max(p.stat().st_size for p in folder.glob("stress.db*")) + 256 * 1024
    full = Backend("sqlite", folder, 2, free_port(), file_limit=limit, like=first)
    full.start(migrate=False)
    load = Load(full.base, time.monotonic() + 600)
    statuses: collections.Counter = collections.Counter()
    acked, unsent, bad_pages = [], [], 0
    s, token = load.session()
    for i in range(3000):  # until the disk has been full for a while
        data = {**complaint(i), "csrf_token": token}
        r = s.post(full.base + "/reclamo", data=data, allow_redirects=False, timeout=60)
        statuses[r.status_code] += 1
        if r.status_code == 303:
            check = full.base + r.headers["Location"].split("?")[0]
            r = s.post(check, data={"csrf_token": token}, allow_redirects=False, timeout=60)
            statuses[r.status_code] += 1
            if r.status_code == 303:
                acked.append(r.headers["Location"].split("?")[0].rsplit("/", 1)[1])
            else:
                unsent.append(check)
        if r.status_code == 503 and not (r.headers.get("Retry-After") and "<h1" in r.text
                                         and "non è stata registrata" in r.text):
            bad_pages += 1
        if statuses[503] >= 60:
            break
    full.stop()
    from sqlalchemy import text

    engine = full.engine()
    with engine.connect() as c:
        stored = set(c.execute(text("select idempotency_key from submissions")).scalars())
    engine.dispose()
    # room on the disk again: the same server, no limit; the drafts that got a 503 are sent
    again = Backend("sqlite", folder, 2, free_port(), like=first)
    again.start(migrate=False)
    s2 = requests.Session()
    s2.cookies.update(s.cookies)
    resent = 0
    for check in unsent:
        r = s2.post(check.replace(full.base, again.base), data={"csrf_token": token},
                    allow_redirects=False, timeout=60)
        resent += r.status_code == 303  # a 404: the draft itself was never written
    engine = again.engine()
    with engine.connect() as c:
        keys = collections.Counter(c.execute(text("select idempotency_key from submissions"))
                                   .scalars())
        seqs = sorted(c.execute(text("select seq from submissions")).scalars())
    engine.dispose()
    again.stop()
    checks = {
        "the disk filled up (503 answers)": statuses[503] > 0,
        "no 500 while the disk was full": not any(c >= 500 and c != 503 for c in statuses),
        "every 503 had Retry-After and the explanation page": bad_pages == 0,
        "every acknowledged submission was stored": set(acked) <= stored,
        "after room was made, resent drafts stored exactly once":
            all(n == 1 for n in keys.values()) and seqs == list(range(1, len(seqs) + 1)),
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}", flush=True)
    table.append(("disk full (sqlite)", all(checks.values()),
                  f"file limit {limit // 1024} KiB; status {dict(statuses)}; acknowledged "
                  f"{len(acked)}, stored {len(stored)}; {resent} of {len(unsent)} refused sends "
                  f"stored on retry; db {db.stat().st_size // 1024} KiB"))
    return all(checks.values())


def hostile_yaml_scenario(tmp: Path, table: list, max_seconds: float = 30.0,
                          max_rss_mib: float = 512.0) -> bool:
    """`carta check` on hostile YAML: a clear error naming the file, bounded time and memory,
    no code run."""
    marker = tmp / "pwned"
    cases = {
        "billion laughs": ("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                           + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},"
                                     f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                                     f"*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(9))
                           ).encode(),
        "deep nesting": ("x: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
        "huge file (64 MiB)": b"# " + b"x" * (64 << 20) + b"\n",
        "object-constructing tags": (f"code: T9\nx: !!python/object/apply:os.system "
                                     f"['touch {marker}']\n").encode(),
        "UTF-16 encoding": "code: T9\ntitle: città\n".encode("utf-16"),
        "Latin-1 encoding": "code: T9\ntitle: città\n".encode("latin-1"),
    }
    ok = True
    figures = []
    for name, content in cases.items():
        root = tmp / f"charter-{len(figures)}"
        shutil.copytree(REPO / "examples" / "accoglienza", root)
        target = next((root / "services").glob("*.yaml"))
        target.write_bytes(content)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "carta", "check", "--root", str(root)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO,
                                preexec_fn=lambda: resource.setrlimit(
                                    resource.RLIMIT_AS, (2 << 30, 2 << 30)))
        timer = threading.Timer(max_seconds * 2, proc.kill)
        timer.start()
        out = proc.stdout.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        seconds = time.perf_counter() - start
        rss = usage.ru_maxrss / 1024
        code = os.waitstatus_to_exitcode(status)
        clear = code == 1 and target.name in out and "Traceback" not in out
        passed = clear and seconds <= max_seconds and rss <= max_rss_mib and not marker.exists()
        ok = ok and passed
        first_line = next((line for line in out.splitlines() if target.name in line), out[:120])
        print(f"  {'PASS' if passed else 'FAIL'}  hostile YAML, {name}: exit {code}, "
              f"{seconds:.2f} s, {rss:.0f} MiB: {first_line[:150]}", flush=True)
        figures.append(f"{name} {seconds:.1f} s/{rss:.0f} MiB")
    table.append(("hostile YAML for carta check", ok, "; ".join(figures)))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--max-seconds", type=int, default=1800,
                        help="bound on each load scenario")
    parser.add_argument("--hostile", type=int, default=1000,
                        help="malicious or mutated submissions per database")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["disk-full", "yaml"], help="leave out a scenario")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="carta-stress-"))
    table: list[tuple[str, bool, str]] = []
    ok = False
    started = time.perf_counter()
    try:
        ok = True
        for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
            ok = load_scenario(db, args, tmp, table) and ok
        if "disk-full" not in args.skip:
            print("[sqlite] disk full", flush=True)
            ok = disk_full_scenario(args, tmp, table) and ok
        if "yaml" not in args.skip:
            print("hostile YAML", flush=True)
            ok = hostile_yaml_scenario(tmp, table) and ok
    except BaseException:
        ok = None  # interrupted or broken: nothing worth keeping
        raise
    finally:
        if ok is False:  # a check failed: keep the databases and server logs to investigate
            print(f"\nkept for investigation: {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nSummary ({time.perf_counter() - started:.0f} s)")
    width = max(len(name) for name, _, _ in table)
    print(f"{'scenario':<{width}}  result  figures")
    for name, passed, figures in table:
        print(f"{name:<{width}}  {'PASS' if passed else 'FAIL':<6}  {figures}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
