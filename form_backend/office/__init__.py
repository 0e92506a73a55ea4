"""``/ufficio/``: the back-office where operators run their day.

One blueprint, its routes in modules named after what they hold:

- :mod:`.signin` — password, second factor, one's own password and sessions, logout;
- :mod:`.access` — roles, the health-data permission, scopes, the ``requires`` decorator that
  every route declares its need with;
- :mod:`.listing` — the list (search, filters, counts, pages), the day's view, the CSV export;
- :mod:`.casework` — one submission: answers, attachments, assignment, notes, status;
- :mod:`.events` — the days of a meeting or of the service's start, for the standards;
- :mod:`.opinions` — what citizens said, in aggregate (page ratings, ease of use, survey);
- :mod:`.ranking` — the graduatoria of a service (page and CSV);
- :mod:`.staff` — the administrators' pages for operators;
- :mod:`.answers`, :mod:`.csvfile`, :mod:`.queries` — what those pages share.
"""

from __future__ import annotations

from flask import Blueprint

from form_backend import auth
from form_backend.operators import add_user

__all__ = ["add_user", "bp"]  # add_user: the tests' and the CLI's way to make an operator

bp = Blueprint("office", __name__, url_prefix="/ufficio")
# the proxy setting concerns the whole app, but only sign-in needed it so far: installed when
# the blueprint is registered, so the app factory needs no line of its own
bp.record_once(lambda state: auth.install(state.app))


def _index_old_submissions(state) -> None:
    """Submissions stored before the back-office's search terms get theirs (once)."""
    import contextlib

    from sqlalchemy.exc import SQLAlchemyError

    from form_backend.cases import backfill
    from form_backend.office.answers import current_roles

    app = state.app
    if "carta_engine" in app.extensions:
        # not migrated yet (AUTO_MIGRATE off): `carta db upgrade`, then the next start does it
        with contextlib.suppress(SQLAlchemyError):
            backfill(app.extensions["carta_engine"], current_roles(app.extensions["carta"]))


bp.record_once(_index_old_submissions)

from form_backend.office import (  # noqa: E402,F401  (routes register on bp)
    casework,
    events,
    listing,
    opinions,
    ranking,
    signin,
    staff,
)
