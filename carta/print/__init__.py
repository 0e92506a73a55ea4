"""The printed ring binder: sheets as Jinja2 templates (``templates/``, ``print.css``) filled
from :mod:`carta.present`, turned into PDFs by WeasyPrint (:mod:`carta.print.build`).

Print reads only the model and the presentation layer; it never parses the site's output.
"""

from __future__ import annotations

import hashlib
import subprocess
from functools import cache
from pathlib import Path

from carta.model.charter import Charter
from carta.print.build import (
    Part,
    binder_parts,
    default_out,
    page_count,
    print_charter,
    render_pdf,
)

__all__ = ["Part", "binder_parts", "cache_key", "default_out", "page_count", "print_charter",
           "render_pdf"]

_CARTA = Path(__file__).resolve().parent.parent
# What shapes a PDF besides the charter: this package (code, templates, CSS), the
# presentation layer, and the model modules whose objects the templates read.
_CODE = ["print/**/*", "present/**/*.py", "model/**/*.py"]


@cache
def _code_and_tools() -> str:
    digest = hashlib.sha256()
    files = sorted({f for pattern in _CODE for f in _CARTA.glob(pattern)
                    if f.is_file() and "__pycache__" not in f.parts})
    for f in files:
        digest.update(f.relative_to(_CARTA).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    from importlib.metadata import version

    for package in ("weasyprint", "babel", "markdown", "jinja2", "qrcode", "pypdf"):
        digest.update(f"{package}={version(package)}\0".encode())
    try:  # the fonts WeasyPrint finds: a changed or added font changes the sheets
        fonts = subprocess.run(["fc-list", "--format", "%{file} %{fontversion}\n"],
                               capture_output=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = b"fc-list unavailable"
    digest.update(b"".join(sorted(fonts.splitlines())))
    return digest.hexdigest()


def cache_key(charter: Charter) -> str:
    """A key that changes whenever the PDFs of ``charter`` could: its content (interface
    strings included), the print and presentation code, templates, CSS, the model code, the
    versions of the libraries that lay out the pages, and the installed fonts."""
    return hashlib.sha256(f"{charter.content_hash}:{_code_and_tools()}".encode()).hexdigest()
