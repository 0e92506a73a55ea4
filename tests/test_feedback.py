"""POST /feedback: the site's "Quanto sono chiare le informazioni?" widget, anonymous."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from form_backend.follow import ease_counts
from form_backend.follow_db import EaseRating
from tests.test_backend import sqlite_backend  # noqa: F401


def _rows(app):
    with app.extensions["carta_sessions"]() as session:
        return session.execute(select(EaseRating.form, EaseRating.score,
                                      EaseRating.comment)).all()


def test_a_rating_is_kept_with_the_page_and_month_only(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    client = app.test_client()
    r = client.post("/feedback", data={"page": "servizi/telesoccorso/", "rating": "2",
                                       "answer": "n3", "details": "  non  capivo "},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/servizi/telesoccorso/")
    assert _rows(app) == [("pagina:servizi/telesoccorso/", 2, "[n3] non capivo")]
    with app.extensions["carta_sessions"]() as session:
        counts = ease_counts(session)["pagina:servizi/telesoccorso/"]
    assert counts["answers"] == 1 and counts["scores"][2] == 1


def test_another_sites_origin_is_refused(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    r = app.test_client().post("/feedback", data={"page": "", "rating": "5"},
                               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and _rows(app) == []


def test_unknown_pages_and_bad_ratings_are_refused_without_a_5xx(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    client = app.test_client()
    for data in ({"page": "servizi/nope/", "rating": "3"}, {"page": "../etc/", "rating": "3"},
                 {"page": "", "rating": "9"}, {"page": "x" * 5000, "rating": "1"}, {}):
        assert client.post("/feedback", data=data).status_code == 422
    assert _rows(app) == []


def test_a_follow_up_answer_that_does_not_match_the_rating_is_dropped(sqlite_backend):  # noqa: F811
    app = sqlite_backend()
    r = app.test_client().post("/feedback", data={"page": "en/", "rating": "5",
                                                  "answer": "n1"},
                               headers={"Accept": "application/json"})
    assert r.status_code == 204
    assert _rows(app) == [("pagina:en/", 5, None)]


def test_floods_are_rate_limited(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_SUBMIT="3 per minute", RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [client.post("/feedback", data={"page": "", "rating": "4"}).status_code
             for _ in range(5)]
    assert codes[:3] == [303, 303, 303] and codes[3] == 429


@pytest.mark.system
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_widget_sends_from_the_built_site_in_chromium(sqlite_backend, site, lang):  # noqa: F811
    """A phone-sized Chromium on the site the backend serves: 2 stars open the negative
    follow-up, the answer is sent with fetch and thanked in place; the row is kept."""
    from playwright.sync_api import sync_playwright

    from tests.servers import http_server

    app = sqlite_backend(CARTA_SITE_DIR=str(site))
    prefix = "" if lang == "it" else f"{lang}/"
    with http_server(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(f"{base}/{prefix}servizi/telesoccorso/")
        page.locator('[data-element="feedback-rate-2"]').click()
        negative = page.locator('[data-element="feedback-rating-negative"]')
        assert negative.is_visible()
        assert not page.locator('[data-element="feedback-rating-positive"]').is_visible()
        negative.locator("label").nth(2).click()
        page.locator('[data-element="feedback-input-text"]').fill("orari poco chiari")
        page.locator(".carta-feedback button").click()
        status = page.locator(".carta-feedback__status")
        page.locator(".carta-feedback__status:not(:empty)").wait_for()
        page.screenshot(path=str(site.parent / f"feedback-{lang}.png"))
        text = status.inner_text()
        sent_form_hidden = not page.locator(".carta-feedback button").is_visible() and \
            not page.locator('[data-element="feedback-rate-2"]').is_visible()
        browser.close()
    assert text == {"it": "Grazie, la tua valutazione è stata inviata.",
                    "ar": "شكرًا، تم إرسال تقييمك."}[lang]
    assert sent_form_hidden  # the stars and the button go once it is sent
    assert _rows(app) == [(f"pagina:{prefix}servizi/telesoccorso/", 2, "[n3] orari poco chiari")]
