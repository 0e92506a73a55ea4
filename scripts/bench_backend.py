#!/usr/bin/env python3
"""Benchmark the form backend under gunicorn on loopback (not a test).

Three routes on the same server, same client: a bare Flask POST that only parses the same form
body and answers 201 (the baseline), the reclamo POST (validation against the model + draft
write), and the confirm POST (protocol number + record + outbox, one transaction).  Prints
requests/s and p50/p99 of each, the ratios to the baseline, and checks that the stored records
equal the successful confirmations.  Every route is warmed up first (templates, form classes,
holidays), so the figures are the steady state.
Then the back-office at scale: ``--fill`` submissions (100,000 by default; 0 skips it) are
written straight into the database with their case rows and search terms, and an operator's
list is timed over HTTP: first page, a filter by service and status, overdue, a deep page, a
search by surname, by codice fiscale and by protocol, the day's view (p50 and p95 of repeated
requests; the page is rendered, as the operator gets it).
Usage: .venv/bin/python scripts/bench_backend.py [-n 600] [--db postgresql] [--fill 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import free_port  # noqa: E402


def body(i: int) -> dict:
    day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    return {"nome": f"Nome{i}", "cognome": "Bianchi", "comune-residenza": "Sorrento",
            "indirizzo": "Via Capo 2", "telefono": "081 7654321", "email": "a@example.org",
            "servizio": "telesoccorso", "data-disservizio": day,
            "descrizione": "Descrizione del disservizio. " * 4, "privacy": "y"}


def server_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == master or int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


SERVER_PID = 0


def run(label, fn, items, clients):
    lat, ok = [], []
    lock = threading.Lock()

    def one(item):
        start = time.perf_counter()
        result = fn(item)
        with lock:
            lat.append(time.perf_counter() - start)
            ok.append(result)

    start, cpu = time.perf_counter(), server_cpu(SERVER_PID)
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, items))
    wall = time.perf_counter() - start
    cpu = server_cpu(SERVER_PID) - cpu
    lat.sort()
    stats = {"rps": len(items) / wall, "p50": statistics.median(lat) * 1000,
             "p99": lat[int(len(lat) * 0.99) - 1] * 1000, "ok": sum(1 for x in ok if x),
             "cpu": cpu / len(items) * 1000}
    print(f"{label:<28} {stats['rps']:8.1f} req/s  p50 {stats['p50']:7.1f} ms  "
          f"p99 {stats['p99']:7.1f} ms  server CPU {stats['cpu']:5.2f} ms/req  "
          f"ok {stats['ok']}/{len(items)}")
    return stats


SURNAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
            "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro",
            "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
            "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis",
            "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri"]
GIVEN = ["Mario", "Anna", "Giuseppe", "Maria", "Antonio", "Lucia", "Francesco", "Giulia",
         "Salvatore", "Rosa", "Vincenzo", "Carmela", "Luigi", "Teresa", "Pasquale", "Angela"]


def fill(url: str, n: int) -> float:
    """Store ``n`` submissions of last year with their case rows and search terms, as the
    backend stores them (form_backend.cases); returns the seconds it took."""
    import random

    from sqlalchemy import create_engine, insert, text

    from carta.load.charter import load_charter
    from form_backend.cases import OfficeCase, SearchTerm, applicant_name, terms_for
    from form_backend.db import Counter, FormDefinition, Submission
    from form_backend.office.answers import STATUSES, current_roles

    charter = load_charter(REPO)
    roles = current_roles(charter)
    services = [x.slug for x in charter.services]
    comuni = [c.id for c in charter.district.comuni]
    rng = random.Random(16)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    year = dt.date.today().year - 1
    start = time.perf_counter()
    with engine.begin() as db:
        db.execute(insert(FormDefinition.__table__), {"version": "bench", "definition": {},
                                                      "created_at": dt.datetime.now(dt.UTC)})
    first = dt.datetime(year, 1, 1, 8, tzinfo=dt.UTC)
    chunk = 5000
    for lo in range(0, n, chunk):
        subs, cases, terms = [], [], []
        with engine.connect() as db:
            next_id = (db.execute(text("select coalesce(max(id), 0) from submissions")).scalar()
                       + 1)
        for i in range(lo, min(n, lo + chunk)):
            sid, seq = next_id + i - lo, i + 1
            kind = "reclamo" if rng.random() < 0.1 else "domanda"
            surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
            cf = "".join(rng.choice("ABCDEFGHLMNPRSTVZ") for _ in range(6)) + \
                f"{rng.randint(30, 99)}A{rng.randint(10, 70)}F839{rng.choice('WXYZ')}"
            answers = {roles[kind].get("surname", "cognome"): surname,
                       roles[kind].get("given_name", "nome"): given}
            if "tax_code" in roles[kind]:
                answers[roles[kind]["tax_code"]] = cf
            created = first + dt.timedelta(minutes=5 * i)
            protocol = f"{year}/{seq:07d}"
            due = (created.date() + dt.timedelta(days=rng.randint(5, 60))).isoformat()
            status = rng.choice(STATUSES)
            subs.append(dict(id=sid, kind=kind, year=year, seq=seq, protocol=protocol,
                             idempotency_key=f"bench{seq}", created_at=created, lang="it",
                             service=rng.choice(services), comune=rng.choice(comuni),
                             status=status, charter_hash="bench", form_version="bench",
                             data=answers, sensitive=None, content_sha256="0" * 64,
                             points=rng.randint(0, 12), band=None, deadlines={"x": due},
                             updated_at=created))
            cases.append(dict(submission_id=sid, assigned_to=None, office=None,
                              due=None if status == "conclusa" else due,
                              applicant=applicant_name(answers, roles[kind]),
                              updated_at=created))
            terms += [dict(submission_id=sid, term=t)
                      for t in sorted(terms_for(protocol, answers, roles[kind]))]
        with engine.begin() as db:
            db.execute(insert(Submission.__table__), subs)
            db.execute(insert(OfficeCase.__table__), cases)
            db.execute(insert(SearchTerm.__table__), terms)
    with engine.begin() as db:
        db.execute(insert(Counter.__table__), {"year": year, "last": n})
    with engine.connect() as db:  # fresh statistics, as a nightly ANALYZE would have
        db.execute(text("ANALYZE"))
        db.commit()
    engine.dispose()
    return time.perf_counter() - start


def office_at_scale(url: str, env: dict, base: str, n: int, repeat: int) -> None:
    """Fill ``n`` submissions, then time an operator's list queries over HTTP."""
    took = fill(url, n)
    print(f"\nback-office: {n} submissions stored in {took:.0f} s; {repeat} requests each")
    subprocess.run([sys.executable, "-m", "carta", "users", "add", "bench-operator", "--root",
                    str(REPO)], env={**env, "CARTA_NEW_PASSWORD": "una frase per il banco"},
                   check=True, capture_output=True)
    s = requests.Session()
    page = s.get(base + "/ufficio/login").text
    t = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(base + "/ufficio/login", data={"csrf_token": t, "name": "bench-operator",
                                               "password": "una frase per il banco"})
    assert r.ok and "/ufficio/login" not in r.url, r.status_code
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as db:
        cf = db.execute(text("select term from office_search_terms where length(term) = 16 "
                             "order by submission_id limit 1 offset :k"), {"k": n // 20}).scalar()
        service = db.execute(text("select service from submissions group by service "
                                  "order by count(*) desc limit 1")).scalar()
    engine.dispose()
    year = dt.date.today().year - 1
    queries = [("list, first page", "/ufficio/"),
               ("filter: service + status", f"/ufficio/?service={service}&status=in-istruttoria"),
               ("filter: service, overdue", f"/ufficio/?service={service}&overdue=1"),
               ("filter: deep page (1000)", "/ufficio/?page=1000"),
               ("search: surname 'rossi'", "/ufficio/?q=rossi"),
               ("search: 'rossi mario' + service", f"/ufficio/?q=rossi+mario&service={service}"),
               ("search: codice fiscale", f"/ufficio/?q={cf}"),
               ("search: protocol", f"/ufficio/?q={year}/0054321"),
               ("day's view", "/ufficio/oggi")]
    for label, path in queries:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            answer = s.get(base + path)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
        times.sort()
        found = re.search(r"Pratiche trovate: (\d+)", answer.text)
        print(f"{label:<34} p50 {statistics.median(times):7.1f} ms  "
              f"p95 {times[int(len(times) * 0.95) - 1]:7.1f} ms  "
              f"found {found.group(1) if found else '-'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=600, help="requests per route")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--fill", type=int, default=100_000,
                        help="submissions to store for the back-office timings (0: none)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per office query")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="carta-bench-"))
    port = free_port()
    from cryptography.fernet import Fernet

    pg = None
    url = f"sqlite:///{tmp}/b.db"
    if args.db == "postgresql":
        from tests.servers import Postgres

        pg = Postgres()
        pg.start()
        url = pg.new_database("bench")
    env = {**os.environ, "CARTA_ROOT": str(REPO), "CARTA_DATABASE_URL": url,
           "CARTA_SECRET_KEY": "bench", "CARTA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "CARTA_OUTBOX_SENDER": "false", "CARTA_RATELIMIT_SUBMIT": "1000000 per minute",
           "CARTA_BENCH_BARE_ROUTE": "true", "CARTA_SITE_DIR": str(tmp)}
    subprocess.run([sys.executable, "-m", "carta", "db", "upgrade", "--root", str(REPO)],
                   env=env, check=True, capture_output=True)
    env["CARTA_AUTO_MIGRATE"] = "false"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k",
                               "gthread", "--threads", str(args.threads), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "form_backend.wsgi:app"], env=env,
                              stderr=subprocess.DEVNULL)
    global SERVER_PID
    SERVER_PID = server.pid
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        local = threading.local()

        def client():
            if not hasattr(local, "s"):
                local.s = requests.Session()
                page = local.s.get(base + "/reclamo").text
                local.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                        page).group(1)
            return local.s, local.token

        def bare(i):
            s, _ = client()
            return s.post(base + "/_bench/bare", data=body(i)).status_code == 201

        drafts = []

        def reclamo(i):
            s, t = client()
            r = s.post(base + "/reclamo", data={**body(i), "csrf_token": t},
                       allow_redirects=False)
            if r.status_code == 303:
                # the draft is bound to this browser by its carta_draft cookie: the confirm
                # goes with this browser's cookies (a copy: the session keeps filling in)
                jar = requests.cookies.RequestsCookieJar()
                jar.update(s.cookies)
                drafts.append((jar, t, base + r.headers["Location"].split("?")[0]))
                return True
            return False

        confirm_local = threading.local()

        def confirm(item):
            jar, t, url = item
            if not hasattr(confirm_local, "s"):  # keep-alive, like the other routes
                confirm_local.s = requests.Session()
            confirm_local.s.cookies.clear()
            r = confirm_local.s.post(url, data={"csrf_token": t}, cookies=jar,
                                     allow_redirects=False)
            if r.status_code != 303:
                print(f"  confirm answered {r.status_code}: {r.text[:300]!r}", file=sys.stderr)
            return r.status_code == 303

        print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} clients, "
              f"{args.n} requests per route, {args.db}")
        # steady state: every route once per worker thread at least (templates compiled, form
        # classes built, holidays loaded) before anything is measured
        warm = range(-200, 0)
        run("warm-up bare", bare, warm, args.clients)
        run("warm-up reclamo", reclamo, warm, args.clients)
        w = run("warm-up confirm", confirm, list(drafts), args.clients)
        drafts.clear()
        b = run("bare POST (parse, 201)", bare, range(args.n), args.clients)
        r = run("reclamo POST (validate+draft)", reclamo, range(args.n), args.clients)
        c = run("confirm POST (record+outbox)", confirm, list(drafts), args.clients)
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as db:
            stored = db.execute(text("select count(*) from submissions")).scalar()
            outbox = db.execute(text("select count(*) from outbox")).scalar()
        print(f"stored records {stored} = successful confirmations {c['ok'] + w['ok']}: "
              f"{stored == c['ok'] + w['ok']}; outbox rows {outbox}")
        for name, x in (("reclamo", r), ("confirm", c)):
            print(f"{name}: throughput {x['rps'] / b['rps']:.2f}x of bare, "
                  f"p99 {x['p99'] / b['p99']:.2f}x of bare")
        engine.dispose()
        if args.fill:
            office_at_scale(url, env, base, args.fill, args.repeat)
    finally:
        server.terminate()
        server.wait(timeout=20)
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
