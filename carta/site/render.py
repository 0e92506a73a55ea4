"""Site page bodies from Jinja2 templates (``carta/site/templates/``), autoescaped.

The templates write Markdown, with the HTML fragments MkDocs passes through (``data-element``
attributes for AgID's checks, sections with ``markdown="1"``, ``bdi``, SVG charts). Every value
reaches them either through a :mod:`carta.site.page` helper, which returns
:class:`markupsafe.Markup`, or raw, and then autoescape escapes it: what an editor writes can
never become markup. One environment per process, each template compiled once.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from carta import present
from carta.present.site_extra import result_text, standard_results
from carta.site.page import Page, attr, bdi, cell, ltr

TEMPLATES = Path(__file__).parent / "templates"


def url(value: str) -> Markup:
    """A link target made by the site (page paths, query strings, ``mailto:``) as it stands
    in a Markdown link or a double-quoted attribute: anything that could end either is
    percent-encoded."""
    return Markup(quote(str(value), safe="/?&=#.:-_~%+@,;'!$*"))


def front_matter_string(value: str) -> Markup:
    """A page title as a YAML (JSON) string for the front matter."""
    return Markup(json.dumps(str(value), ensure_ascii=False))


@cache
def environment() -> jinja2.Environment:
    """The templates, autoescaped, loaded once per process. Comments are ``<# … #>``:
    Markdown's attribute lists (``{#anchor}``) keep ``{#``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
        auto_reload=False, cache_size=-1, comment_start_string="<#", comment_end_string="#>")
    env.globals.update(present=present, ltr=ltr, bdi=bdi, cell=cell, attr=attr, url=url,
                       standard_results=standard_results, result_text=result_text)
    env.filters["front_matter_string"] = front_matter_string
    return env


@cache
def template(name: str) -> jinja2.Template:
    """A compiled template, kept for the process."""
    return environment().get_template(name)


def page(p: Page, name: str, title: str, **values: object) -> str:
    """The Markdown file of one page: front matter with ``title``, the notice when part of
    the page fell back to Italian, and the body ``name`` renders from ``values``."""
    body = template(name).render(p=p, charter=p.charter, lang=p.lang, **values)
    return template("layout.md").render(p=p, title=title, body=Markup(body))
