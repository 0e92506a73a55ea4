"""The binder's monitoring section: each year's published results, guaranteed vs realized,
with the formula, the source and "too few cases" where a sample is small (view data from
:func:`carta.present.site_extra.report_views`, the same facts the site's results page shows)."""

from __future__ import annotations

from carta.model.charter import Charter
from carta.present.site_extra import report_views
from carta.print import sheets


def monitoring_document(charter: Charter, lang: str, pages: sheets.Pages = None) -> str:
    """The HTML document of the monitoring section (every year, newest first)."""
    sheet = sheets.Sheet(charter, lang, pages)
    last = max((m.published for m in charter.monitoring if m.published), default=None)
    return sheets._render("monitoring.html", sheet, sheet.t("results_title"), None, last,
                          reports=report_views(charter, lang))
