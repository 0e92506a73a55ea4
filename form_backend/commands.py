"""The backend's ``carta`` commands: serve, users, purge, outbox, backup, restore, db.

Registered into carta's parser by :func:`register`; every command reads its settings through
:func:`form_backend.config.load_config` (the same as the WSGI entry), with ``--root`` as the
charter folder wherever it is written (``carta users --root X add N`` and
``carta users add N --root X`` both act on X).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any


def say(message: str) -> None:
    """One progress line for the person at the terminal."""
    print(f"carta: {message}", file=sys.stderr, flush=True)


def backend_config(args: argparse.Namespace, **overrides: Any) -> dict[str, Any]:
    """Settings for a command run against ``--root``: the encryption key file is created
    on first use (and the operator told to back it up)."""
    from form_backend.config import ensure_key

    root = Path(args.root).resolve()
    created = ensure_key(root)
    if created:
        say(f"created {created}: back it up, without it the health data cannot be read")
    return {"CARTA_ROOT": str(root), "OUTBOX_SENDER": False, **overrides}


def make_app(args: argparse.Namespace, **overrides: Any):
    """The Flask app for a command, or a one-line error and exit status 1."""
    from form_backend import create_app
    from form_backend.config import ConfigError

    try:
        return create_app(backend_config(args, **overrides))
    except ConfigError as exc:
        say(f"cannot start: {exc}")
        raise SystemExit(1) from None


class _BuildProgress:
    """Turns mkdocs-static-i18n's per-language log line into "site: language n of m"."""

    def __init__(self, languages: list[str]):
        import logging

        self.languages = languages
        self.handler = logging.Handler()
        self.handler.emit = self._emit  # type: ignore[method-assign]
        self.handler.setLevel(logging.INFO)

    def _emit(self, record) -> None:
        text = record.getMessage()
        if "Building '" in text:
            lang = text.split("Building '", 1)[1].split("'")[0]
            # by position, not by count: languages may be built in parallel processes
            n = self.languages.index(lang) + 1 if lang in self.languages else "?"
            say(f"site: language {n} of {len(self.languages)} ({lang})")

    def __enter__(self):
        import logging

        self.logger = logging.getLogger("mkdocs.plugins.mkdocs_static_i18n.plugin")
        self.level, self.propagate = self.logger.level, self.logger.propagate
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)
        self.logger.propagate = self.propagate


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the site if it is out of date, then serve it with the forms on one port
    through waitress (a production WSGI server, not Werkzeug's development server)."""
    import logging

    import waitress

    from carta.cli import load_or_exit
    from carta.website.build import build

    say(f"checking the charter in {Path(args.root).resolve()}")
    charter = load_or_exit(args)
    root = Path(args.root).resolve()
    site = root / "site"
    stamp = site / ".carta-content-hash"
    if not stamp.exists() or stamp.read_text() != charter.content_hash:
        langs = list(charter.district.languages)
        if not args.no_pdf:
            say(f"printing the PDFs in {len(langs)} languages (first time: a few minutes; "
                "unchanged sheets are reused)")
        say(f"building the site in {len(langs)} languages")
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
        with _BuildProgress(langs):
            build(root, site, pdfs=not args.no_pdf, progress=say)
        stamp.write_text(charter.content_hash)
    else:
        say("the site is up to date")
    app = make_app(args, OUTBOX_SENDER=True)
    # waitress reads whole requests before the app sees them (slow clients cost no thread),
    # drops idle connections after channel_timeout, logs nothing of its own per request
    # (the app's JSON log has routes, never query strings or keys) and sends no Server banner
    server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads,
                                    channel_timeout=30, ident="",
                                    max_request_body_size=64 << 20,
                                    clear_untrusted_proxy_headers=True)
    say(f"serving the site and the forms at http://{args.host}:{args.port}/ (Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        say("stopped")
    return 0
    return 0


def _new_password(name: str) -> str:
    import getpass
    import os

    return os.environ.get("CARTA_NEW_PASSWORD") or getpass.getpass(f"password for {name}: ")


def _refused(app, exc) -> int:
    """The password policy's reason, in English (the terminal's language is not known)."""
    say(f"password refused: {app.extensions['carta'].t('en', exc.key, **exc.values)}")
    return 2


def cmd_users_add(args: argparse.Namespace) -> int:
    """Create an office operator (the password must pass the policy)."""
    from sqlalchemy.exc import IntegrityError

    from form_backend.operators import PasswordRefused, add_user
    from form_backend.passwords import context_words

    password = _new_password(args.name)
    app = make_app(args)
    try:
        services = _known(app, "service_by_slug", args.service)
        offices = _known(app, "office_by_id", args.office)
    except KeyError as exc:
        say(f"unknown {exc.args[0]}: see carta users add --help")
        return 2
    try:
        add_user(app.extensions["carta_sessions"], args.name, password,
                 health_access=args.health_access,
                 context=context_words(app.extensions["carta"]), role=args.role,
                 services=services, offices=offices, totp_required=args.totp_required)
    except PasswordRefused as exc:
        return _refused(app, exc)
    except IntegrityError:
        say(f"user {args.name!r} already exists")
        return 1
    print(f"created operator {args.name}" + (" (health data: enrols a second factor at the "
                                              "first login)" if args.health_access else ""))
    return 0


def _known(app, index: str, values: list[str] | None) -> list[str]:
    """``values`` when the charter knows every one (service slugs, office ids), else
    KeyError naming the first unknown."""
    known = getattr(app.extensions["carta"], index)
    for value in values or []:
        if value not in known:
            raise KeyError(f"{index.split('_')[0]} {value!r}")
    return list(values or [])


def cmd_users_role(args: argparse.Namespace) -> int:
    """Give an operator a role (reader, operator, admin) and a scope of services and offices
    (none: the whole district); their sessions end."""
    from form_backend.operators import set_role

    def change(app, s, name):
        set_role(s, name, args.role, _known(app, "service_by_slug", args.service),
                 _known(app, "office_by_id", args.office))

    try:
        return _account_change(args, change, "{name} is now " + args.role)
    except KeyError as exc:
        say(f"unknown {exc.args[0]}")
        return 2


def cmd_users_totp_required(args: argparse.Namespace) -> int:
    """Require a second factor of an operator (on) or stop requiring it (off)."""
    from form_backend.operators import set_totp_required

    return _account_change(
        args, lambda app, s, name: set_totp_required(s, name, args.required == "on"),
        "second factor required of {name}: " + args.required)


def cmd_users_list(args: argparse.Namespace) -> int:
    """Every operator, one a line: name, state, health access, second factor, last login."""
    from form_backend.operators import list_users
    from form_backend.store import ROME

    def when(value, after=None):
        value = value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
        if value is None or (after and value <= after):
            return "-"
        return value.astimezone(ROME).strftime("%Y-%m-%d %H:%M")

    rows = list_users(make_app(args).extensions["carta_sessions"])
    now = dt.datetime.now(dt.UTC)
    print(f"{'name':<24} {'state':<9} {'health':<7} {'2fa':<4} {'locked until':<17} "
          f"{'last login':<17} {'role':<9} scope")
    for r in rows:
        locked = when(r["locked_until"], after=now)
        tfa = "yes" if r["totp"] else ("req" if r["totp_required"] else "no")
        scope = " ".join(r["services"] + [f"office:{o}" for o in r["offices"]]) or "all"
        print(f"{r['name']:<24} {'active' if r['active'] else 'disabled':<9} "
              f"{'yes' if r['health_access'] else 'no':<7} {tfa:<4} "
              f"{locked:<17} {when(r['last_login_at']):<17} {r['role']:<9} {scope}")
    return 0


def _account_change(args: argparse.Namespace, action, done: str) -> int:
    """Run ``action(app, sessions, name)`` on the operator named ``args.name``."""
    from form_backend.operators import NoSuchOperator, PasswordRefused

    app = make_app(args)
    try:
        action(app, app.extensions["carta_sessions"], args.name)
    except NoSuchOperator:
        say(f"no operator is called {args.name!r} (carta users list)")
        return 1
    except PasswordRefused as exc:
        return _refused(app, exc)
    print(done.format(name=args.name))
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    """Disable an operator: they cannot log in, and their open sessions end now."""
    from form_backend.operators import set_active

    return _account_change(args, lambda app, s, name: set_active(s, name, False),
                           "disabled {name}; their sessions are closed")


def cmd_users_enable(args: argparse.Namespace) -> int:
    """Enable an operator again (also ends a lockout after wrong passwords)."""
    from form_backend.operators import set_active

    return _account_change(args, lambda app, s, name: set_active(s, name, True),
                           "enabled {name}")


def cmd_users_passwd(args: argparse.Namespace) -> int:
    """Set an operator's password (asked, or CARTA_NEW_PASSWORD); their sessions end."""
    from form_backend.operators import set_password
    from form_backend.passwords import context_words

    password = _new_password(args.name)
    return _account_change(
        args, lambda app, s, name: set_password(s, name, password,
                                                context_words(app.extensions["carta"])),
        "new password for {name}; their sessions are closed")


def cmd_users_totp_reset(args: argparse.Namespace) -> int:
    """Forget an operator's second factor (a lost phone); they enrol again at next login."""
    from form_backend.operators import reset_totp

    return _account_change(args, lambda app, s, name: reset_totp(s, name),
                           "second factor of {name} removed: they enrol a new one at their "
                           "next login")


def cmd_users_logout(args: argparse.Namespace) -> int:
    """End the open sessions of one operator, or of all (--all): they sign in again."""
    from form_backend.operators import NoSuchOperator, end_all_sessions

    if (args.name is None) == (not args.all):
        say("name one operator, or give --all")
        return 2
    app = make_app(args)
    try:
        n = end_all_sessions(app.extensions["carta_sessions"], args.name)
    except NoSuchOperator:
        say(f"no operator is called {args.name!r} (carta users list)")
        return 1
    print(f"ended {n} sessions of " + (args.name or "every operator"))
    return 0


def cmd_users_log(args: argparse.Namespace) -> int:
    """The office's audit log, newest first: sign-ins, downloads, exports, account changes."""
    from form_backend.operators import audit_log
    from form_backend.store import ROME

    rows = audit_log(make_app(args).extensions["carta_sessions"], args.name, args.limit)
    print(f"{'when (Europe/Rome)':<19} {'operator':<20} {'action':<17} {'record':<7} "
          f"{'address':<15} detail")
    for r in rows:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC)
        print(f"{at.astimezone(ROME):%Y-%m-%d %H:%M:%S} {r.user or '-':<20} {r.action:<17} "
              f"{r.submission_id or '-'!s:<7} {r.address or '-':<15} {r.detail or ''}")
    return 0


def cmd_users_health_access(args: argparse.Namespace) -> int:
    """Grant or withdraw an operator's access to health data."""
    from form_backend.operators import set_health_access

    return _account_change(
        args, lambda app, s, name: set_health_access(s, name, args.access == "on"),
        "health-data access of {name}: " + args.access)


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete submissions (with attachments, e-mails, audit) older than --older-than days."""
    from form_backend.retention import purge

    if args.older_than < 1:
        say("--older-than must be at least 1 day")
        return 2
    app = make_app(args)
    n = purge(app.extensions["carta_sessions"], args.older_than)
    print(f"purged {n} submissions older than {args.older_than} days")
    return 0


def cmd_outbox_send(args: argparse.Namespace) -> int:
    """Deliver the e-mails that are due, round after round until none is left or the mail
    server refuses (for cron, when the web process does not); ``--now`` first ends the
    back-off of the ones still waiting (the mail server has just been fixed)."""
    from form_backend.outbox import SmtpSettings, deliver_due, retry_now

    app = make_app(args)
    c = app.config
    sessions = app.extensions["carta_sessions"]
    if args.now:
        print(f"brought forward: {retry_now(sessions)}")
    sent = failed = 0
    while not failed:
        n, failed = deliver_due(sessions, SmtpSettings.from_config(c),
                                lease=dt.timedelta(seconds=float(c["OUTBOX_LEASE"])))
        sent += n
        if n == 0:
            break
    print(f"sent {sent}, failed {failed}")
    if failed:
        say(f"the mail server at {c['SMTP_HOST']}:{c['SMTP_PORT']} refused; "
            "the rest will be retried")
    return 1 if failed else 0


def database_url(args: argparse.Namespace) -> str:
    """The backend's database for --root (CARTA_DATABASE_URL or the SQLite default)."""
    from form_backend.config import load_config

    return load_config({"CARTA_ROOT": str(Path(args.root).resolve())})["DATABASE_URL"]


def _copy(action, url: str, path: Path, done: str, failed: str) -> int:
    import sqlite3

    try:
        n = action(url, path)
    except (ValueError, RuntimeError, OSError, sqlite3.Error) as exc:
        say(f"{failed}: {exc}")
        return 1
    print(done.format(n=n, path=path))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database online (consistent while the server runs)."""
    from form_backend.backup import backup

    return _copy(backup, database_url(args), Path(args.out),
                 "backed up {n} submissions to {path}", "backup failed")


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the SQLite database with a backup (stop the server first)."""
    from form_backend.backup import restore

    return _copy(restore, database_url(args), Path(args.file),
                 "restored {n} submissions from {path}", "restore failed")


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Create or update the database schema (Alembic migrations)."""
    from form_backend.db import make_engine
    from form_backend.migrate import upgrade

    upgrade(make_engine(database_url(args)))
    print("database is up to date")
    return 0


def register(add, group) -> None:
    """Add the backend's commands to carta's parser (``add`` makes a command, ``group`` a
    command with sub-commands; see :func:`carta.cli.build_parser`)."""
    p = add("serve", cmd_serve, "build the site if needed and serve it with the forms")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8, help="request threads (default: 8)")
    p.add_argument("--no-pdf", action="store_true", help="build without the printable PDFs")

    users = group("users", "office operators")
    q = users("add", cmd_users_add, "create an operator (password asked, or CARTA_NEW_PASSWORD)")
    q.add_argument("name")
    q.add_argument("--health-access", action="store_true",
                   help="may see health data (a second factor is enrolled at the first login)")

    def scope_options(q):
        q.add_argument("--service", action="append", metavar="SLUG",
                       help="a service of their scope (repeat; none and no --office: all)")
        q.add_argument("--office", action="append", metavar="ID",
                       help="an office of their scope: its services and the complaints "
                            "naming it (repeat)")

    q.add_argument("--role", choices=["reader", "operator", "admin"], default="operator",
                   help="reader: reads only; operator: also acts; admin: also manages "
                        "operators (default: operator)")
    scope_options(q)
    q.add_argument("--totp-required", action="store_true",
                   help="must enrol a second factor at the first login")
    users("list", cmd_users_list, "list the operators")
    q = users("role", cmd_users_role, "set an operator's role and scope (closes their sessions)")
    q.add_argument("name")
    q.add_argument("role", choices=["reader", "operator", "admin"])
    scope_options(q)
    q = users("totp-required", cmd_users_totp_required,
              "require (on) or stop requiring (off) a second factor of an operator")
    q.add_argument("name")
    q.add_argument("required", choices=["on", "off"])
    for name, func, help_ in [
            ("disable", cmd_users_disable, "disable an operator and close their sessions"),
            ("enable", cmd_users_enable, "enable an operator again (also ends a lockout)"),
            ("passwd", cmd_users_passwd,
             "set an operator's password (asked, or CARTA_NEW_PASSWORD); closes their sessions"),
            ("totp-reset", cmd_users_totp_reset,
             "remove an operator's second factor (lost phone): they enrol again at next login")]:
        users(name, func, help_).add_argument("name")
    q = users("logout", cmd_users_logout, "end the open sessions of an operator (or --all)")
    q.add_argument("name", nargs="?")
    q.add_argument("--all", action="store_true", help="of every operator")
    q = users("log", cmd_users_log, "the office's audit log, newest first")
    q.add_argument("name", nargs="?", help="only this operator's entries")
    q.add_argument("--limit", type=int, default=50, help="entries to show (default: 50)")
    q = users("health-access", cmd_users_health_access,
              "grant (on) or withdraw (off) an operator's access to health data")
    q.add_argument("name")
    q.add_argument("access", choices=["on", "off"])

    p = add("purge", cmd_purge, "delete submissions older than a number of days (retention)")
    p.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    outbox = group("outbox", "e-mail outbox")
    q = outbox("send", cmd_outbox_send, "deliver the e-mails that are due")
    q.add_argument("--now", action="store_true",
                   help="also the ones waiting out a retry back-off (the mail server is fixed)")

    p = add("backup", cmd_backup, "online, consistent copy of the SQLite database")
    p.add_argument("--out", required=True, metavar="FILE")
    p = add("restore", cmd_restore, "replace the SQLite database with a backup")
    p.add_argument("file", metavar="FILE")

    db = group("db", "database")
    db("upgrade", cmd_db_upgrade, "create or update the schema")

    from form_backend.monitoring import register as register_monitoring

    register_monitoring(group)
