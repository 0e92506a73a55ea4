"""Kept for old imports: the print sheets now live in :mod:`carta.print.sheets`."""

from carta.print.sheets import (  # noqa: F401
    contents_document,
    cover_document,
    divider_document,
    form_document,
    general_document,
    scheda_body,
    scheda_document,
    sheet_url,
    since_cover_document,
)
