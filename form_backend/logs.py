"""Structured logs (one JSON object a line) that never carry personal data.

Requests are logged by route pattern (``/domanda/<slug>``), never by full URL, query string,
form field or header; submissions by protocol number only.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request

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


def install(app: Flask) -> None:
    """JSON logs on stderr for the ``carta`` loggers, and one line per request."""
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
