"""The citizen's language; interface strings.

A form's address says its language, like the site's (``/`` Italian, ``/en/`` English …):
``?lang=en``, and a form page without ``lang`` is in the district's first language, whatever
the browser prefers or an earlier visit chose, so the Italian scheda's "apply" link opens the
Italian form, and every link a form page makes carries its ``lang``.  Other pages (receipts,
error pages, the office) without ``lang`` fall back to the last ``lang`` asked in this
session, then to the browser's preference."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

from carta.present.legal import notice
from carta.website.page import direction

FORM_BLUEPRINTS = ("apply", "complaint")  # pages whose language is their URL's alone


def charter():
    """The charter the app serves."""
    return current_app.extensions["carta"]


def choose_lang() -> str:
    """The language to answer in, among the district's languages."""
    langs = charter().district.languages
    asked = request.args.get("lang") if request else None  # never read the body here
    if asked in langs:
        session["lang"] = asked
        return asked
    if request and request.blueprint in FORM_BLUEPRINTS:
        return langs[0]
    if session.get("lang") in langs:
        return session["lang"]
    best = request.accept_languages.best_match(langs) if request else None
    return best or langs[0]


def t(key: str, **values) -> str:
    """An interface string in the request's language."""
    return charter().t(getattr(g, "lang", "it"), key, **values)


def install_i18n(app: Flask) -> None:
    """Pick the language before each request and give templates ``t``, ``lang``, ``dir``."""

    @app.before_request
    def _lang():
        g.lang = choose_lang()

    @app.context_processor
    def _context():
        lang = getattr(g, "lang", "it")
        c = charter()
        return {"t": t, "lang": lang, "dir": direction(lang), "charter": c,
                "district_name": c.district.short_name.resolve(lang)[0],
                "languages": c.district.languages,
                "home": "/" if lang == c.district.languages[0] else f"/{lang}/",
                # a form's privacy notice in the page's language (GDPR art. 13; shown by the
                # "I have read the notice" box, or at the end of a form without one)
                "privacy_notice": lambda definition: notice(c, definition, lang)}
