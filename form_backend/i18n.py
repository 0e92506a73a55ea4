"""The citizen's language, from the URL only; interface strings.

Like the site (``/`` Italian, ``/en/`` English …), a form's address says its language:
``?lang=en``, and no ``lang`` means the district's first language.  Neither the browser's
preferences nor an earlier visit choose it: the Italian scheda's "apply" link opens the
Italian form in any browser, and every link a form page makes carries its ``lang``."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from carta.site_text import direction


def charter():
    """The charter the app serves."""
    return current_app.extensions["carta"]


def choose_lang() -> str:
    """The language to answer in, among the district's languages."""
    langs = charter().district.languages
    asked = request.args.get("lang") if request else None  # never read the body here
    return asked if asked in langs else langs[0]


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
                "home": "/" if lang == c.district.languages[0] else f"/{lang}/"}
