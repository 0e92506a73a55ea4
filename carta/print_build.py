"""Kept for old imports: the PDF builder now lives in :mod:`carta.print.build`."""

from carta.print.build import (  # noqa: F401
    Part,
    binder_parts,
    merge,
    page_count,
    print_charter,
    render_parts,
    render_pdf,
)
