"""Cross-references written in the YAML (`[vedi Allegato 1](see:fasce)`) are links on the site."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.system


def test_no_page_links_to_a_raw_cross_reference(site):
    raw = [str(p.relative_to(site)) for p in site.rglob("*.html") if 'href="see:' in p.read_text()]
    assert not raw, f"pages with unresolved see: links: {raw[:5]}"


@pytest.mark.parametrize("lang", ["", "en/", "fr/", "ar/"])
def test_a_schedas_cross_references_lead_to_the_right_section(site, lang):
    page = site / lang / "servizi" / "telesoccorso" / "index.html"
    links = re.findall(r'<a href="(\.\./\.\./tariffe/#fasce)"', page.read_text())
    assert links, "telesoccorso refers to the ISEE bands: that reference must be a link"
    target = (page.parent / "../../tariffe/index.html").resolve()
    assert 'id="fasce"' in target.read_text()
