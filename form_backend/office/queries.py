"""The list's query: filters, search, scope, counts per status, one page; every condition is
one an index answers (submissions by service, status, received time; cases by due date,
office, assignee; search terms by prefix), so a page stays fast at 100,000 submissions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, false, func, or_, select

from form_backend.auth import Operator
from form_backend.cases import OfficeCase, SearchTerm, prefix_range, words
from form_backend.db import Submission
from form_backend.office.access import scope, services_of_office
from form_backend.office.answers import STATUSES, today

PAGE_SIZE = 50
COLUMNS = (Submission.id, Submission.protocol, Submission.kind, Submission.service,
           Submission.status, Submission.created_at, Submission.comune, Submission.points,
           Submission.band, OfficeCase.applicant, OfficeCase.due, OfficeCase.assigned_to,
           OfficeCase.office)


@dataclass
class Filters:
    """The list's filters as the query string gives them (unknown values match nothing)."""

    q: str = ""
    kind: str = ""
    service: str = ""
    status: str = ""
    office: str = ""
    assigned: str = ""
    overdue: bool = False
    page: int = 1
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read ``q, kind, service, status, office, assigned, overdue, page``."""
        def text(name: str, limit: int = 80) -> str:
            return (args.get(name) or "").strip()[:limit]

        page = text("page", 6)
        return cls(q=text("q", 100), kind=text("kind"), service=text("service"),
                   status=text("status"), office=text("office"), assigned=text("assigned"),
                   overdue=bool(args.get("overdue")),
                   page=max(1, min(int(page), 100000)) if page.isdigit() else 1)

    def query_string(self, **changes) -> str:
        """The filters as a query string (for pages, exports, the ranking link)."""
        from urllib.parse import urlencode

        values = {"q": self.q, "kind": self.kind, "service": self.service,
                  "status": self.status, "office": self.office, "assigned": self.assigned,
                  "overdue": "1" if self.overdue else "", "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1, False)})


def _scope_condition(charter, operator: Operator):
    limits = scope(charter, operator)
    if limits is None:
        return None
    services, offices = limits
    parts = []
    if services:
        parts.append(Submission.service.in_(sorted(services)))
    if offices:
        parts.append(OfficeCase.office.in_(sorted(offices)))
    return or_(*parts) if parts else false()


# a search word matching at most this many submissions is looked up first and given to the
# query as a list of ids (an index range, then primary keys): the planners misjudge a
# semi-join on the terms and walk every submission instead
FEW = 5000


def conditions(charter, operator: Operator, f: Filters, with_status: bool = True,
               session=None) -> list:
    """The WHERE conditions of the filters ``f`` within the operator's scope (``session``:
    search words are looked up in it first, see ``FEW``)."""
    out = []
    limit = _scope_condition(charter, operator)
    if limit is not None:
        out.append(limit)
    if f.kind:
        out.append(Submission.kind == f.kind)
    if f.service:
        out.append(Submission.service == f.service)
    if f.status and with_status:
        out.append(Submission.status == f.status)
    if f.office:
        out.append(or_(Submission.service.in_(sorted(services_of_office(charter, f.office))),
                       OfficeCase.office == f.office))
    if f.assigned:
        out.append(OfficeCase.assigned_to == f.assigned)
    if f.overdue:
        out.append(and_(OfficeCase.due < today().isoformat(), Submission.status != "conclusa"))
    found = words(f.q)[:5]
    if f.q.strip() and not found:
        out.append(false())  # only punctuation: nothing is called that
    few: set[int] | None = None
    broad = []
    for word in found:
        if word.isdigit():  # a protocol number: that one, not every number starting so
            match = SearchTerm.term == str(int(word))
        else:
            lo, hi = prefix_range(word)
            match = and_(SearchTerm.term >= lo, SearchTerm.term < hi)
        ids = None
        if session is not None:
            ids = set(session.execute(select(SearchTerm.submission_id).where(match)
                                      .limit(FEW + 1)).scalars())
        if ids is not None and len(ids) <= FEW:
            few = ids if few is None else few & ids
        else:
            broad.append(match)
    for match in broad:  # a common word ("mario"): within the few the others matched
        if few is not None:
            few &= set(session.execute(select(SearchTerm.submission_id).where(
                match, SearchTerm.submission_id.in_(sorted(few)))).scalars()) if few else set()
        else:
            out.append(Submission.id.in_(select(SearchTerm.submission_id).where(match)))
    if few is not None:
        out.append(Submission.id.in_(sorted(few)) if few else false())
    return out


def _base(q, where=None):
    """``q`` over submissions with their case rows; a count whose conditions do not name the
    cases is made without the join (at 100,000 rows the join is most of its time)."""
    if where is not None and not any(OfficeCase.__tablename__ in str(c) for c in where):
        return q.select_from(Submission)
    return q.select_from(Submission).outerjoin(OfficeCase,
                                               OfficeCase.submission_id == Submission.id)


@dataclass
class Page:
    """One page of the list."""

    rows: list
    total: int
    counts: dict[str, int]
    pages: int


def list_page(session, charter, operator: Operator, f: Filters) -> Page:
    """The rows of page ``f.page`` (newest first), the total, the counts per status."""
    where = conditions(charter, operator, f, session=session)
    # the counts per status are made with every filter but the status: the total is theirs
    unfiltered = conditions(charter, operator, f, with_status=False, session=session)
    by_status = dict(session.execute(
        _base(select(Submission.status, func.count()), unfiltered).where(*unfiltered)
        .group_by(Submission.status)).all())
    total = by_status.get(f.status, 0) if f.status else sum(by_status.values())
    pages = max(1, -(-total // PAGE_SIZE))
    order = (Submission.created_at.desc(), Submission.id.desc())
    # the page's ids first (an index walk, joined to the cases only when a filter needs it),
    # then their columns: a deep page does not join every row it skips
    ids = session.execute(_base(select(Submission.id), where).where(*where).order_by(*order)
                          .limit(PAGE_SIZE).offset((min(f.page, pages) - 1) * PAGE_SIZE)
                          ).scalars().all()
    rows = session.execute(_base(select(*COLUMNS)).where(Submission.id.in_(ids))
                           .order_by(*order)).all() if ids else []
    return Page(rows, total, {s: by_status.get(s, 0) for s in STATUSES}, pages)


def all_rows(session, charter, operator: Operator, f: Filters, with_data: bool = False):
    """Every row the filters select, oldest first (exports); with the clear answers when
    ``with_data`` (never the encrypted ones)."""
    columns = (*COLUMNS, Submission.data) if with_data else COLUMNS
    return session.execute(_base(select(*columns)).where(
        *conditions(charter, operator, f, session=session))
                           .order_by(Submission.year, Submission.seq)
                           .execution_options(yield_per=1000))


def day_view(session, charter, operator: Operator, limit: int = 200) -> dict[str, list]:
    """Overdue, due within seven days, received since yesterday: complaints first."""
    from form_backend.store import ROME

    now = today()
    base = conditions(charter, operator, Filters())
    open_ = Submission.status != "conclusa"
    since = dt.datetime.combine(now - dt.timedelta(days=1), dt.time(), ROME).astimezone(dt.UTC)

    def run(*where, order):
        # complaints, then applications: two index walks instead of sorting every match
        rows = []
        for kind in ("reclamo", "domanda"):
            rows += session.execute(_base(select(*COLUMNS)).where(
                *base, Submission.kind == kind, *where).order_by(*order)
                .limit(limit - len(rows))).all()
        return rows

    return {
        "overdue": run(open_, OfficeCase.due < now.isoformat(),
                       order=(OfficeCase.due, Submission.id)),
        "week": run(open_, OfficeCase.due >= now.isoformat(),
                    OfficeCase.due <= (now + dt.timedelta(days=7)).isoformat(),
                    order=(OfficeCase.due, Submission.id)),
        "new": run(Submission.created_at >= since,
                   order=(Submission.created_at.desc(), Submission.id)),
    }
