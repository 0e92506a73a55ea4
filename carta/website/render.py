"""Site page bodies from Jinja2 templates (``carta/website/templates/``), autoescaped.

The templates write Markdown, with the HTML fragments MkDocs passes through (``data-element``
attributes for AgID's checks, sections with ``markdown="1"``, ``bdi``, SVG charts). Every value
reaches them either through a filter below, which returns :class:`markupsafe.Markup`, or raw,
and then autoescape escapes it: what an editor writes can never become markup.

Filters, for the page being rendered (:class:`carta.website.page.Page`):

- ``"key"|t`` (``"key"|t(n=3)``): an interface string;
- ``text|text`` block Markdown, ``text|inline`` one line, ``text|flow`` one line or a list;
- ``shown|shown`` one line, ``shown|block`` block: a fact from :mod:`carta.present`;
- ``str|cell`` escaped for a table cell, ``str|attribute`` for a quoted attribute, ``str|ltr``
  kept left-to-right, ``str|bdi`` isolated, ``str|url`` a link the site made.

Filters are plain calls for Jinja (methods and globals go through its slower call protocol),
so they find the page in :data:`CURRENT`, which :func:`page` sets while it renders. One
environment per process, each template compiled once.
"""

from __future__ import annotations

import datetime
import json
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from jinja2.compiler import CodeGenerator
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from carta import present
from carta.present.site_extra import result_text
from carta.website.page import Page, attr, bdi, cell, ltr

TEMPLATES = Path(__file__).parent / "templates"

# the page being rendered (its language, its fallbacks): what the filters write for
CURRENT: ContextVar[Page] = ContextVar("carta_site_page")


def url(value: str) -> Markup:
    """A link target made by the site (page paths, query strings, ``mailto:``) as it stands
    in a Markdown link or a double-quoted attribute: anything that could end either is
    percent-encoded."""
    return Markup(quote(str(value), safe="/?&=#.:-_~%+@,;'!$*"))


def front_matter_string(value: str) -> Markup:
    """A page title as a YAML (JSON) string for the front matter."""
    return Markup(json.dumps(str(value), ensure_ascii=False))


def _page_filter(method: str):
    """The filter calling ``method`` of the page being rendered (:class:`Page`)."""
    @jinja2.pass_context  # never folded into a constant when compiled
    def call(_context, value, **values: object) -> Markup:
        return getattr(CURRENT.get(), method)(value, **values)

    call.__name__ = f"_{method}"
    return call


@lru_cache(maxsize=1024)
def _date(day: datetime.date, lang: str) -> str:
    # Babel's skeleton matching is the slowest step of a page; a charter has few dates
    return present.date(day, lang)


FILTERS = {**{name: _page_filter(name) for name in ("t", "text", "inline", "flow", "shown",
                                                    "block")},
           "cell": cell, "attribute": attr, "ltr": ltr, "bdi": bdi, "url": url,
           "front_matter_string": front_matter_string}


def escape(value: object) -> Markup:
    """Autoescape's escape, without copying what is already Markup (most of a page's values:
    markupsafe's escape makes a new Markup of every one)."""
    return value if type(value) is Markup else markupsafe_escape(value)


class _CodeGenerator(CodeGenerator):
    """Jinja's compiler, calling :func:`escape` for each autoescaped output."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.carta_escape(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


@cache
def environment() -> jinja2.Environment:
    """The templates, autoescaped, loaded once per process. Comments are ``<# … #>``:
    Markdown's attribute lists (``{#anchor}``) keep ``{#``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
        auto_reload=False, cache_size=-1, comment_start_string="<#", comment_end_string="#>")
    env.code_generator_class = _CodeGenerator
    env.carta_escape = escape
    env.globals.update(present=present, result_text=result_text, date=_date)
    env.filters.update(FILTERS)
    return env


@cache
def template(name: str) -> jinja2.Template:
    """A compiled template, kept for the process."""
    return environment().get_template(name)


def page(p: Page, name: str, title: str, **values: object) -> str:
    """The Markdown file of one page: front matter with ``title``, the notice when part of
    the page fell back to Italian, and the body ``name`` renders from ``values``."""
    token = CURRENT.set(p)
    try:
        body = template(name).render(p=p, charter=p.charter, lang=p.lang, **values)
        return template("layout.md").render(p=p, title=title, body=Markup(body))
    finally:
        CURRENT.reset(token)
