"""The ``carta`` command line: every command takes ``--root DIR`` (default: here)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from carta.errors import CharterError
from carta.load import load_cached


def _load(args: argparse.Namespace):
    try:
        return load_cached(args.root)
    except CharterError as exc:
        if getattr(args, "json", False):  # for editors' tools: one JSON shape per problem
            json.dump([p.as_dict() for p in exc.problems], sys.stdout, ensure_ascii=False,
                      indent=1)
            print()
            raise SystemExit(1) from None
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        print(f"carta: {n} problem{'s' if n != 1 else ''} in {args.root}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the charter; with --translations, report translation coverage."""
    charter = _load(args)
    if args.translations:
        from carta.translations import coverage

        short = False
        for cov in coverage(charter):
            print(f"{cov.lang}: {cov.percent:5.1f} % ({cov.translated}/{cov.total} text fields)")
            for where in cov.missing[: args.show_missing]:
                print(f"  missing: {where}")
            short = short or cov.translated < cov.total
        return 1 if short and args.strict else 0
    n_ind = sum(len(s.quality) for s in charter.services)
    print(f"ok: {charter.district.short_name.it}: {len(charter.services)} schede in "
          f"{len(charter.areas)} areas, {len(charter.offices)} offices, {n_ind} service "
          f"indicators, {len(charter.tariffs.tariffs)} tariffs")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the whole charter as JSON to stdout."""
    from carta.render_export import render_json

    charter = _load(args)
    sys.stdout.write(render_json(charter))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write (or, with --check, compare) the JSON Schemas under schema/."""
    from carta.render_schema import render_schema, schema_files

    out = Path(args.out)
    stale = []
    for name, schema in schema_files().items():
        text = render_schema(name, schema)
        target = out / name
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if stale:
        print("carta: out-of-date schema files (run `carta schema`): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the multilingual static site of the charter (strict: broken links fail)."""
    import logging

    from mkdocs.exceptions import MkDocsException

    from carta.site_build import build

    _load(args)  # report charter problems in the editors' format before MkDocs starts
    root = Path(args.root)
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        build(root, site_dir, pdfs=not args.no_pdf)
    except (MkDocsException, SystemExit) as exc:
        print(f"carta: site build failed: {exc}", file=sys.stderr)
        return 1
    print(f"built {site_dir}")
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    """Print the schede, the blank forms and the binder (or an update bundle) as PDFs."""
    import datetime as dt

    from carta.print_build import print_charter

    charter = _load(args)
    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            print(f"carta: --since {args.since!r} is not a date: write YYYY-MM-DD", file=sys.stderr)
            return 2
    if args.lang not in charter.district.languages:
        print(f"carta: --lang {args.lang!r} is not offered by this charter "
              f"({', '.join(charter.district.languages)})", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(args.root) / "build" / "pdf" / args.lang
    try:
        print_charter(charter, out, args.lang, since, args.jobs)
    except Exception as exc:  # WeasyPrint, fonts, disk: one clear line, non-zero exit
        print(f"carta: printing failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def _backend_config(args: argparse.Namespace) -> dict:
    """Backend settings for commands run against --root (key file made on first use)."""
    import os

    root = Path(args.root).resolve()
    config = {"CARTA_ROOT": str(root), "OUTBOX_SENDER": False}
    if not os.environ.get("CARTA_ENCRYPTION_KEY"):
        config["ENCRYPTION_KEY"] = _local_key(root)
    return config


def _local_key(root: Path) -> str:
    """A Fernet key kept in ROOT/instance (mode 600) when CARTA_ENCRYPTION_KEY is not set."""
    import os

    from cryptography.fernet import Fernet

    path = root / "instance" / "encryption.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode())
        print(f"carta: created {path}: back it up, without it the health data cannot be read",
              file=sys.stderr)
    return path.read_text().strip()


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the site if it is out of date, then serve it with the forms on one port."""
    from carta.site_build import build

    charter = _load(args)
    root = Path(args.root).resolve()
    site = root / "site"
    stamp = site / ".carta-content-hash"
    if not stamp.exists() or stamp.read_text() != charter.content_hash:
        print("carta: building the site …", file=sys.stderr)
        build(root, site, pdfs=not args.no_pdf)
        stamp.write_text(charter.content_hash)
    from form_backend import create_app

    config = _backend_config(args)
    config["OUTBOX_SENDER"] = True
    app = create_app(config)
    print(f"carta: serving on http://{args.host}:{args.port}/ (Ctrl+C to stop)", file=sys.stderr)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """Create an office operator."""
    import getpass
    import os

    from form_backend import create_app
    from form_backend.office import add_user

    password = os.environ.get("CARTA_NEW_PASSWORD") or getpass.getpass(f"password for {args.name}: ")
    if len(password) < 12:
        print("carta: use a password of at least 12 characters", file=sys.stderr)
        return 2
    app = create_app(_backend_config(args))
    from sqlalchemy.exc import IntegrityError

    try:
        add_user(app.extensions["carta_sessions"], args.name, password)
    except IntegrityError:
        print(f"carta: user {args.name!r} already exists", file=sys.stderr)
        return 1
    print(f"created operator {args.name}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete submissions (with attachments, e-mails, audit) older than --older-than days."""
    from form_backend import create_app
    from form_backend.retention import purge

    if args.older_than < 1:
        print("carta: --older-than must be at least 1 day", file=sys.stderr)
        return 2
    app = create_app(_backend_config(args))
    n = purge(app.extensions["carta_sessions"], args.older_than)
    print(f"purged {n} submissions older than {args.older_than} days")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    """Deliver the e-mails that are due, round after round until none is left or the mail
    server refuses (for cron, when the web process does not); ``--now`` first ends the
    back-off of the ones still waiting (the mail server has just been fixed)."""
    from form_backend import create_app
    from form_backend.outbox import deliver_due, retry_now

    app = create_app(_backend_config(args))
    c = app.config
    sessions = app.extensions["carta_sessions"]
    if args.now:
        print(f"brought forward: {retry_now(sessions)}")
    sent = failed = 0
    while not failed:
        n, failed = deliver_due(sessions, c["SMTP_HOST"], int(c["SMTP_PORT"]), c["MAIL_FROM"],
                                dt.timedelta(seconds=float(c["OUTBOX_LEASE"])))
        sent += n
        if n == 0:
            break
    print(f"sent {sent}, failed {failed}")
    if failed:
        print(f"carta: the mail server at {c['SMTP_HOST']}:{c['SMTP_PORT']} refused; "
              "the rest will be retried", file=sys.stderr)
    return 1 if failed else 0


def _database_url(args: argparse.Namespace) -> str:
    """The backend's database for --root (CARTA_DATABASE_URL or the SQLite default)."""
    from form_backend.config import load_config

    return load_config({"CARTA_ROOT": str(Path(args.root).resolve())})["DATABASE_URL"]


def _copy(action, url: str, path: Path, done: str, failed: str) -> int:
    import sqlite3

    try:
        n = action(url, path)
    except (ValueError, RuntimeError, OSError, sqlite3.Error) as exc:
        print(f"carta: {failed}: {exc}", file=sys.stderr)
        return 1
    print(done.format(n=n, path=path))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database online (consistent while the server runs)."""
    from form_backend.backup import backup

    return _copy(backup, _database_url(args), Path(args.out),
                 "backed up {n} submissions to {path}", "backup failed")


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the SQLite database with a backup (stop the server first)."""
    from form_backend.backup import restore

    return _copy(restore, _database_url(args), Path(args.file),
                 "restored {n} submissions from {path}", "restore failed")


def cmd_db(args: argparse.Namespace) -> int:
    """Create or update the database schema (Alembic migrations)."""
    from form_backend.db import make_engine
    from form_backend.migrate import upgrade

    upgrade(make_engine(_database_url(args)))
    print("database is up to date")
    return 0


def cmd_mkdocs_yml(args: argparse.Namespace) -> int:
    """Print the project's mkdocs.yml for the charter at --root."""
    from carta.site_build import project_mkdocs_yml

    sys.stdout.write(project_mkdocs_yml(_load(args)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``carta``."""
    parser = argparse.ArgumentParser(prog="carta", description="A Carta dei Servizi as YAML.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--root", default=".", help="charter folder holding content/ and "
                       "services/ (default: current directory)")
        p.set_defaults(func=func)
        return p

    p = add("check", cmd_check, "validate the charter and report every problem at once")
    p.add_argument("--json", action="store_true",
                   help="print the problems as a JSON list on stdout (for tools)")
    p.add_argument("--translations", action="store_true",
                   help="report per-language coverage of the text fields")
    p.add_argument("--strict", action="store_true",
                   help="with --translations: exit 1 unless every language is at 100 %%")
    p.add_argument("--show-missing", type=int, default=0, metavar="N",
                   help="with --translations: list up to N untranslated fields per language")
    p = add("export", cmd_export, "write the charter as open data to stdout")
    p.add_argument("--format", choices=["json"], default="json")
    p = add("build", cmd_build, "build the multilingual static site (strict mode)")
    p.add_argument("--site-dir", default=None, help="output folder (default: ROOT/site)")
    p.add_argument("--no-pdf", action="store_true",
                   help="skip the printable PDFs (faster previews)")
    p = add("print", cmd_print, "print the sheets, blank forms and binder as A4 PDFs")
    p.add_argument("--out", default=None, help="output folder (default: ROOT/build/pdf/LANG)")
    p.add_argument("--lang", default="it", help="language of the sheets (default: it)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD",
                   help="only the schede revised after this date, with a cover sheet")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p = add("serve", cmd_serve, "build the site if needed and serve it with the forms")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-pdf", action="store_true", help="build without the printable PDFs")
    p = add("users", None, "office operators")
    users = p.add_subparsers(dest="users_command", required=True)
    q = users.add_parser("add", help="create an operator (password asked, or CARTA_NEW_PASSWORD)")
    q.add_argument("name")
    q.add_argument("--root", default=".")
    q.set_defaults(func=cmd_users)
    p = add("purge", cmd_purge, "delete submissions older than a number of days (retention)")
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    p = add("outbox", None, "e-mail outbox")
    outbox = p.add_subparsers(dest="outbox_command", required=True)
    q = outbox.add_parser("send", help="deliver the e-mails that are due")
    q.add_argument("--root", default=".")
    q.add_argument("--now", action="store_true",
                   help="also the ones waiting out a retry back-off (the mail server is fixed)")
    q.set_defaults(func=cmd_outbox)
    p = add("backup", cmd_backup, "online, consistent copy of the SQLite database")
    p.add_argument("--out", required=True, metavar="FILE")
    p = add("restore", cmd_restore, "replace the SQLite database with a backup")
    p.add_argument("file", metavar="FILE")
    p = add("db", None, "database")
    db = p.add_subparsers(dest="db_command", required=True)
    q = db.add_parser("upgrade", help="create or update the schema")
    q.add_argument("--root", default=".")
    q.set_defaults(func=cmd_db)
    add("mkdocs-yml", cmd_mkdocs_yml, "print the mkdocs.yml that plain `mkdocs build` uses")
    p = add("schema", cmd_schema, "write the JSON Schemas of the charter files")
    p.add_argument("--out", default="schema", help="folder for the schema files")
    p.add_argument("--check", action="store_true", help="fail if the files are out of date")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carta`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
