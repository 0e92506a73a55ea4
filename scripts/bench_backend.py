#!/usr/bin/env python3
"""Benchmark the form backend under gunicorn on loopback (not a test).

Three routes on the same server, same client: a bare Flask POST that only parses the same form
body and answers 201 (the baseline), the reclamo POST (validation against the model + draft
write), and the confirm POST (protocol number + record + outbox, one transaction).  Prints
requests/s and p50/p99 of each, the ratios to the baseline, and checks that the stored records
equal the successful confirmations.  Every route is warmed up first (templates, form classes,
holidays), so the figures are the steady state.
Usage: .venv/bin/python scripts/bench_backend.py [-n 600] [--db postgresql]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=600, help="requests per route")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
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
                drafts.append((s.cookies.get("session"), t,
                               base + r.headers["Location"].split("?")[0]))
                return True
            return False

        confirm_local = threading.local()

        def confirm(item):
            cookie, t, url = item
            if not hasattr(confirm_local, "s"):  # keep-alive, like the other routes
                confirm_local.s = requests.Session()
            confirm_local.s.cookies.set("session", cookie)
            r = confirm_local.s.post(url, data={"csrf_token": t}, allow_redirects=False)
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
    finally:
        server.terminate()
        server.wait(timeout=20)
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
