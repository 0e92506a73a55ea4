"""Site page bodies come from autoescaped templates: what an editor writes in any text field
reaches the built Markdown escaped, and no Python module of the site builds page markup."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from markupsafe import Markup

from carta.load.charter import load_charter
from carta.website.pages import site_files
from carta.website.render import environment
from tests.factory import REPO, base, write_charter

SERVICE = "services/telesoccorso.yaml"


def evil(field: str) -> str:
    """What an editor might paste into ``field``: a script element."""
    return f"<script>{field}()</script>"


def escaped(field: str) -> str:
    return f"&lt;script&gt;{field}()&lt;/script&gt;"


def _charter_with_scripts(tmp_path: Path):
    district = base("content/district.yaml")
    district["name"] = evil("district_name")
    district["comuni"][1]["name"] = evil("comune_name")
    district["principles"] = [{"name": evil("principle_name"), "text": evil("principle_text")}]
    areas = base("content/areas.yaml")
    areas["areas"][1]["name"] = evil("area_name")
    areas["areas"][1]["description"] = evil("area_description")
    offices = base("content/offices.yaml")
    offices["offices"][0]["name"] = evil("office_name")
    offices["offices"][0]["address"] = evil("office_address")
    tariffs = base("content/tariffs.yaml")
    tariffs["tariffs"][0].update(area="B", name=evil("tariff_name"), text=evil("tariff_text"),
                                 note=evil("tariff_note"))
    providers = base("content/providers.yaml")
    providers["providers"][0]["name"] = evil("provider_name")
    complaints = base("content/complaints.yaml")
    complaints["channels"] = [evil("complaint_channel")]
    s = base(SERVICE)
    s.update(title={"it": evil("title"), "en": evil("title_en")}, summary=evil("summary"),
             who_for=evil("who_for"), what=evil("what"), where=evil("where"),
             keywords=[evil("keyword")])
    s["access"].update(contact=evil("contact"), how=evil("how"),
                       documents=[{"name": evil("document"), "id": "isee"}])
    s["operator"]["text"] = evil("operator")
    s["responsible"]["role"] = evil("responsible")
    s["quality"][0].update(id="tempo", indicator=evil("indicator"), standard=evil("standard"))
    report = {"year": 2023, "results": [
        {"service": "telesoccorso", "indicator_ref": "tempo", "factor": evil("factor"),
         "indicator": evil("result_indicator"), "guaranteed": evil("guaranteed"),
         "not_measurable": True, "reason": evil("result_reason")}]}
    root = write_charter(tmp_path, {
        "content/district.yaml": district, "content/areas.yaml": areas,
        "content/offices.yaml": offices, "content/tariffs.yaml": tariffs,
        "content/providers.yaml": providers, "content/complaints.yaml": complaints,
        SERVICE: s, "content/monitoring/2023.yaml": report})
    return load_charter(root)


FIELDS = ["district_name", "comune_name", "principle_name", "principle_text", "area_name",
          "area_description", "office_name", "office_address", "tariff_name", "tariff_text",
          "tariff_note", "provider_name", "complaint_channel", "title", "title_en", "summary",
          "who_for", "what", "where", "keyword", "contact", "how", "document", "operator",
          "responsible", "indicator", "standard", "factor", "result_indicator", "guaranteed",
          "result_reason"]

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
JSON_LD = re.compile(r'<script type="application/ld\+json"[^>]*>\n(.*?)\n</script>', re.S)


def test_an_editors_script_in_any_text_field_reaches_the_markdown_escaped(tmp_path):
    files = site_files(_charter_with_scripts(tmp_path))
    pages = {path: text for path, text in files.items() if path.endswith(".md")}
    for path, text in pages.items():
        # the title in the front matter is data for MkDocs, JSON-LD is JSON in its own
        # script element ("</" written "<\/", so no value can end it): neither is markup
        body = FRONT_MATTER.sub("", text)
        for data in JSON_LD.findall(body):
            assert "</" not in data, path
        body = JSON_LD.sub("", body)
        assert "<script" not in body, (path, body[body.find("<script") - 200:][:400])
    everything = "\n".join(pages.values())
    missing = [f for f in FIELDS if escaped(f) not in everything]
    assert not missing, f"fields not shown (escaped) on any page: {missing}"
    # each one on the page a citizen reads it on
    assert escaped("title") in pages["it/servizi/telesoccorso.md"]
    assert escaped("title_en") in pages["en/servizi/telesoccorso.md"]
    assert escaped("tariff_note") in pages["it/tariffe.md"]
    assert escaped("result_reason") in pages["it/risultati.md"]
    assert escaped("office_name") in pages["it/uffici.md"]


def test_a_raw_value_a_template_does_not_pass_through_a_helper_is_escaped():
    render = environment().from_string("{{ raw }}|{{ safe }}|{{ number }}|{{ raw|cell }}").render
    assert render(raw="<b>&", safe=Markup("<i>"), number=3) == "&lt;b&gt;&amp;|<i>|3|&lt;b&gt;&amp;"


# Markup a page body is made of: HTML elements, Markdown tables, headings, attribute lists
PAGE_MARKUP = re.compile(
    r"<(section|div|p|a|li|ol|ul|nav|svg|figure|table|span|bdi|script|h\d|time|circle|rect)\b"
    r"|\|---|^\s*\| |\n\|? ?\| |(^|\n)#{1,6} |\{ ?\.md-button|data-element=|markdown=\"1\"")

# What may stay in Python, and why
ALLOWED = {
    # carta.website.page's helpers: a fallback's language and direction, direction isolation
    ("page.py", '<span lang="%s" dir="%s">%s</span>'),
    ("page.py", '<div lang="%s" dir="%s" class="carta-fallback" markdown="1">\n\n%s\n\n</div>'),
    ("page.py", '<bdi dir="ltr">%s</bdi>'),
    ("page.py", "<bdi>%s</bdi>"),
    # the JSON-LD's own script element (its JSON is built as data, "</" escaped)
    ("jsonld.py", '<script type="application/ld+json" data-element="metatag">\n'),
    # the live preview's problem banner, put into the served HTML (not a page body)
    ("preview.py", '<div id="carta-preview-problems"'),
    # patterns that read the built HTML, and the mkdocs.yml header comment
    ("search.py", 'data-element="service-description"'),
    ("search.py", '(<script id="__config" type="application/json">)(.*?)(</script>)'),
    ("build.py", "# Generated by `carta mkdocs-yml > mkdocs.yml`"),
}


def _strings(path: Path):
    """Every string literal of a module (parts of f-strings too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node


def test_no_site_module_builds_page_markup_in_python():
    found = []
    for path in sorted((REPO / "carta" / "website").glob("*.py")):
        for node in _strings(path):
            if PAGE_MARKUP.search(node.value) and not any(
                    path.name == name and node.value.startswith(prefix) for name, prefix in ALLOWED):
                found.append(f"{path.name}:{node.lineno}: {node.value[:80]!r}")
    assert not found, "page markup belongs in carta/website/templates/:\n" + "\n".join(found)


def test_the_check_finds_an_f_string_building_a_section(tmp_path):
    module = tmp_path / "page_builder.py"
    module.write_text('def f(anchor, body):\n'
                      '    return f\'<section id="{anchor}" markdown="1">{body}</section>\'\n'
                      'ROW = "| " + "x" + " |"\n')
    assert [n.value for n in _strings(module) if PAGE_MARKUP.search(n.value)] == [
        '<section id="', '" markdown="1">', "| "]


def _block(text: str, name: str) -> str:
    start = text.index("{% block " + name + " %}")
    return text[start:text.index("{% endblock %}", start)]


def test_the_themes_sidebars_are_materials_but_for_the_remembered_navigation():
    # carta's main.html repeats Material's block site_nav to render the navigation once per
    # folder: a Material upgrade that changes the block must be taken over, not hidden
    import material

    materials = _block((Path(material.__file__).parent / "templates" / "base.html").read_text(
        encoding="utf-8"), "site_nav")
    carta = _block((REPO / "carta" / "website" / "theme" / "overrides" / "main.html").read_text(
        encoding="utf-8"), "site_nav")
    include = '{% include "partials/nav.html" %}'
    line = next(x for x in carta.splitlines() if "carta_nav_key" in x)
    assert line.count(include) == 2
    assert carta.replace(line, line[:len(line) - len(line.lstrip())] + include) == materials
