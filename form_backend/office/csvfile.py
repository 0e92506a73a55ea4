"""CSV files as the office opens them in Excel: ``;`` between cells, UTF-8 with a BOM, CRLF,
and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import make_response


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def csv_bytes(rows: Iterable[list]) -> bytes:
    """The rows as an Excel-friendly CSV file."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(x) for x in row])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def download(data: bytes, name: str, content_type: str = "text/csv; charset=utf-8"):
    """A download that no cache keeps."""
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
