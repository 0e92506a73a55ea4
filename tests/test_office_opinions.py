"""The office sees what citizens said, in aggregate, and only signed-in staff see it."""

from __future__ import annotations

from form_backend import auth
from form_backend.follow_db import EaseRating
from form_backend.office import add_user
from form_backend.satisfaction import SatisfactionAnswer
from tests.test_backend import sqlite_backend  # noqa: F401


def test_page_ratings_ease_and_survey_aggregates_for_staff_only(sqlite_backend):  # noqa: F811
    app = sqlite_backend(RATELIMIT_ENABLED=False)
    sessions = app.extensions["carta_sessions"]
    with sessions.begin() as s:
        for i, score in enumerate((5, 4, 1)):
            s.add(EaseRating(id=f"p{i}", form="pagina:servizi/telesoccorso/", month="2026-10",
                             score=score, comment="Chiaro" if i == 0 else None))
        s.add(EaseRating(id="e1", form="telesoccorso", month="2026-11", score=2, comment=None))
        s.add(SatisfactionAnswer(id="s1", form="reclamo", month="2026-11", question="q1", score=3))
    client = app.test_client()
    anonymous = client.get("/ufficio/gradimento")
    assert anonymous.status_code in (302, 303) and "/ufficio/login" in anonymous.location
    add_user(sessions, "lettrice", "una-password-molto-lunga", role="reader")
    with app.app_context(), sessions.begin() as s:
        from sqlalchemy import select

        from form_backend.db import User
        user_id = s.execute(select(User.id).where(User.name == "lettrice")).scalar_one()
        token = auth.start_session(s, user_id, "full")
    client.set_cookie(auth.COOKIE, token, path="/ufficio")
    page = client.get("/ufficio/gradimento").get_data(as_text=True)
    assert "servizi/telesoccorso/" in page and "Chiaro" in page
    assert ">3<" in page and "3.33" in page  # three page ratings, their mean
    assert "telesoccorso" in page and "q1" in page
    later = client.get("/ufficio/gradimento?dal=2026-11").get_data(as_text=True)
    assert "servizi/telesoccorso/" not in later and "q1" in later  # October's left out
    nonsense = client.get("/ufficio/gradimento?dal=2026-13").get_data(as_text=True)
    assert "servizi/telesoccorso/" in nonsense  # not a month: no filter, not an error
