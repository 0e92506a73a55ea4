"""The form backend: domande d'accesso and reclami, validated against the charter's model.

``create_app(test_config=None)`` follows Flask's tutorial: safe defaults → ``CARTA_*``
environment → the test mapping.  One blueprint per feature: ``site`` (the built static site),
``apply`` (domande), ``complaint`` (reclami), ``receipt``, ``office`` (operators).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from carta.load.charter import load_cached
from form_backend import logs, security
from form_backend.config import check_key, load_config
from form_backend.db import make_engine, sessions
from form_backend.extensions import csrf, limiter
from form_backend.i18n import choose_lang, install_i18n
from form_backend.writer import GroupWriter, StorageTimeout

log = logging.getLogger("carta.backend")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI application."""
    config = load_config(test_config)
    check_key(config)  # a clear refusal at start-up, not a 500 on a citizen's request
    app = Flask(__name__, instance_path=str(Path(config["CARTA_ROOT"]) / "instance"),
                static_url_path="/_carta")
    app.config.update(config)
    app.config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_HEADERS_ENABLED"] = True

    # one parse per version of the charter's files in this process (the model is frozen)
    app.extensions["carta"] = load_cached(config["CARTA_ROOT"])
    url = config["DATABASE_URL"]
    engine = make_engine(url)
    # SQLite gets two more engines on the same file: readers that never wait for the write
    # lock, and drafts written without waiting for the disk; PostgreSQL needs neither
    on_sqlite = url.startswith("sqlite")
    reader = make_engine(url, read_only=True) if on_sqlite else engine
    scratch = make_engine(url, scratch=True) if on_sqlite else engine
    timeout = float(config["WRITER_TIMEOUT"])
    app.extensions["carta_engine"] = engine
    app.extensions["carta_sessions"] = sessions(engine)
    app.extensions["carta_writer"] = GroupWriter(engine, timeout=timeout)
    app.extensions["carta_reader"] = sessions(reader)
    app.extensions["carta_reader_engine"] = reader
    # drafts share transactions too: at the fill-in step a busy office would otherwise queue
    # every citizen on the database's write lock
    app.extensions["carta_draft_writer"] = GroupWriter(scratch, timeout=timeout)
    app.extensions["carta_fernet"] = Fernet(config["ENCRYPTION_KEY"])
    if config.get("AUTO_MIGRATE", True):
        from form_backend.migrate import upgrade

        upgrade(engine)
    from form_backend.store import rehash_digests

    rehash_digests(engine, app.extensions["carta_fernet"])  # digests cleared by migration 0004

    csrf.init_app(app)
    limiter.init_app(app)
    security.install(app)
    logs.install(app)
    install_i18n(app)

    from form_backend import apply, complaint, feedback, office, receipt, site

    app.register_blueprint(apply.bp)
    app.register_blueprint(complaint.bp)
    app.register_blueprint(receipt.bp)
    app.register_blueprint(receipt.follow.bp)  # after the receipt: status, reply, save, ease
    app.register_blueprint(office.bp)
    app.register_blueprint(feedback.bp)  # the site's feedback widget (AgID C.SI.2.5)
    from form_backend import oidc

    oidc.install(app)  # identification where the district configures it (OIDC_ISSUER)
    app.register_blueprint(site.bp)  # last: it answers every other path from the built site

    @app.get("/healthz")
    def healthz():
        from form_backend.health import health

        body, status = health(app)
        return body, status

    _error_pages(app)

    if config.get("BENCH_BARE_ROUTE"):  # benchmark baseline: parse the same body, answer 201
        @app.post("/_bench/bare")
        @csrf.exempt
        def bare():
            return ("", 201) if request.form else ("", 400)

    if config.get("OUTBOX_SENDER") and not app.testing:
        from form_backend.outbox import Sender, SmtpSettings

        sender = Sender(app.extensions["carta_sessions"], SmtpSettings.from_config(config),
                        float(config["OUTBOX_INTERVAL"]),
                        dt.timedelta(seconds=float(config["OUTBOX_LEASE"])))
        sender.start()
        app.extensions["carta_sender"] = sender
    return app


def _drain_body(cap: int = 64 << 20) -> None:
    """Read and drop the rest of a body that is too large, so that the client, still
    sending, can read the 413 page instead of seeing the connection reset.  Bodies over
    ``cap`` are not read: those clients get the reset."""
    stream = request.environ.get("wsgi.input")
    left = request.content_length or 0
    if stream is None or left > cap:
        return
    while left > 0:
        chunk = stream.read(min(left, 1 << 16))
        if not chunk:
            break
        left -= len(chunk)


def _error_pages(app: Flask) -> None:
    def page(status: int, key: str, retry: int | None = None):
        g.lang = choose_lang()
        response = app.make_response((render_template("error.html", key=key, status=status),
                                      status))
        if retry:
            response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, "err_csrf")

    @app.errorhandler(413)
    def too_large(exc):
        _drain_body()
        return page(413, "err_413")

    @app.errorhandler(429)
    def too_many(exc):
        return page(429, "err_429", retry=60)

    @app.errorhandler(404)
    def not_found(exc):
        return page(404, "err_404")

    @app.errorhandler(OperationalError)
    def database_down(exc):
        log.error("database unavailable: %s", type(exc).__name__)
        return page(503, "err_503", retry=30)

    @app.errorhandler(DataError)
    def refused_by_the_database(exc):  # input the database cannot hold slipped through
        log.error("input refused by the database: %s", type(exc.orig).__name__,
                  extra={"route": request.url_rule.rule if request.url_rule else None})
        return page(400, "err_400")

    @app.errorhandler(StorageTimeout)
    def storage_slow(exc):  # it may have been stored after all: sending again is safe
        log.error("database too slow: %s", type(exc).__name__)
        return page(503, "err_503_unsure", retry=10)

    @app.errorhandler(HTTPException)
    def other(exc):
        if exc.code and exc.code >= 500:
            return page(exc.code, "err_503", retry=30)
        return page(exc.code or 400, "err_400")

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.error("unexpected error", exc_info=exc,
                  extra={"method": request.method,
                         "route": request.url_rule.rule if request.url_rule else None})
        return page(500, "err_500")
