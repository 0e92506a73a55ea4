"""Structured logs (one JSON object a line) that never carry personal data.

Requests are logged by route pattern (``/domanda/<slug>``), never by full URL, query string,
form field or header; submissions by protocol number only.  A URL can be a key (a draft's
check page, a receipt): the development server's own request lines (Werkzeug, when the app
runs under ``flask run`` or the tests' server) are rewritten to the route pattern too.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from flask import Flask, g, request
from werkzeug.routing import Map

_STANDARD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", …extra}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "msg": record.getMessage()}
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            data["exc"] = record.exc_info[0].__name__  # the type only: tracebacks hold data
        return json.dumps(data, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when the record is emitted."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class RouteOnly(logging.Filter):
    """Werkzeug's request lines (``"GET /reclamo/controlla/3f9a…?lang=it HTTP/1.1" 200 -``)
    with the path replaced by its route (``/reclamo/controlla/<draft_id>``), wherever a
    message of that logger quotes one (errors on bad requests too)."""

    routes: Map | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(self.redact(a) if isinstance(a, str) else a
                                for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        return True

    def redact(self, text: str) -> str:
        return _REQUEST.sub(lambda m: f"{m.group(1)} {self.route(m.group(1), m.group(2))}",
                            _ANSI.sub("", text))

    def route(self, method: str, target: str) -> str:
        if self.routes is not None:
            try:
                return self.routes.bind("localhost").match(
                    target.split("?", 1)[0], method=method, return_rule=True)[0].rule
            except Exception:  # not found, a redirect, another method: still no path
                pass
        return "<unmatched>"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_REQUEST = re.compile(r"\b([A-Z]{3,7}) (/\S*)")
_ROUTE_ONLY = RouteOnly()


def install(app: Flask) -> None:
    """JSON logs on stderr for the ``carta`` loggers, one line per request, and Werkzeug's
    request lines by route only."""
    _ROUTE_ONLY.routes = app.url_map
    werkzeug_log = logging.getLogger("werkzeug")
    if _ROUTE_ONLY not in werkzeug_log.filters:
        werkzeug_log.addFilter(_ROUTE_ONLY)
    logger = logging.getLogger("carta")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    access = logging.getLogger("carta.access")

    @app.before_request
    def _start():
        g.carta_started = time.perf_counter()

    @app.after_request
    def _log(response):
        rule = request.url_rule.rule if request.url_rule else "<unmatched>"
        if not rule.startswith(("/<path:path>", "/_carta/")) and rule != "/":  # files: quiet
            access.info("request", extra={
                "method": request.method, "route": rule, "status": response.status_code,
                "ms": round((time.perf_counter() - g.get("carta_started", time.perf_counter()))
                            * 1000, 1)})
        return response
