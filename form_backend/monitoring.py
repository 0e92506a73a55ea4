"""``carta monitoring compute``: the yearly results table from the backend's own records.

Reads the database read-only (the same settings as every backend command), measures every
standard whose rule the charter declares, shows the difference against the year's file as a
unified diff, and writes it only with ``--write``, keeping what editors wrote.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from pathlib import Path


def _say(message: str) -> None:
    print(f"carta: {message}", file=sys.stderr, flush=True)


def cmd_compute(args: argparse.Namespace) -> int:
    """Compute the year's results of the measurable standards; diff, then write with
    --write."""
    from sqlalchemy.exc import SQLAlchemyError

    from carta.cli import load_or_exit
    from carta.monitoring import results_file as mfile
    from carta.monitoring.measure import MIN_CASES, ROME, compute
    from form_backend.commands import database_url
    from form_backend.db import make_engine
    from form_backend.events import RECORDED, read_cases
    from form_backend.satisfaction import read_answers

    this_year = dt.datetime.now(ROME).year
    if not 2000 <= args.year <= this_year:
        _say(f"--year {args.year}: give a year from 2000 to {this_year}")
        return 2
    if args.min_cases is not None and args.min_cases < 1:
        _say("--min-cases must be at least 1")
        return 2
    charter = load_or_exit(args)
    url = database_url(args)
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        _say(f"no database at {url.split('///', 1)[-1]}: nothing was received yet, or set "
             "CARTA_DATABASE_URL")
        return 1
    engine = make_engine(url, read_only=True)
    try:
        cases = read_cases(engine, until=dt.date(args.year, 12, 31))
        answers = read_answers(engine, args.year)
    except SQLAlchemyError as exc:
        _say(f"cannot read the database: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return 1
    finally:
        engine.dispose()
    as_of = dt.datetime.now(ROME)
    computed, unmeasured = compute(charter, cases, args.year, as_of, RECORDED,
                                   args.min_cases or MIN_CASES, answers)

    rel = f"content/monitoring/{args.year}.yaml"
    path = Path(args.root).resolve() / rel
    old_text, old_data, problems = mfile.read_existing(path, rel)
    if problems:
        for p in problems:
            _say(str(p))
        _say(f"{rel} cannot be read: fix it first, then run again")
        return 1
    data, notes = mfile.merge(old_data, args.year, computed, charter)
    text = mfile.render(data, args.year, computed, unmeasured, mfile.schema_line(old_text, path))
    problems = mfile.check(text, rel)
    if problems:
        for p in problems:
            _say(str(p))
        _say(f"{rel} would not pass carta check: nothing written")
        return 1

    diff = list(difflib.unified_diff((old_text or "").splitlines(keepends=True),
                                     text.splitlines(keepends=True),
                                     fromfile=f"a/{rel}" if old_text else "/dev/null",
                                     tofile=f"b/{rel}"))
    sys.stdout.writelines(diff)
    for note in notes:
        _say(note)
    few = sum(1 for c in computed if c.row.get("too_few_cases"))
    _say(f"{args.year}: {len(computed)} standards measured from {len(cases)} cases and "
         f"{len(answers)} answers ({few} with too few cases), {len(unmeasured)} left for the "
         "editors")
    if not diff:
        _say(f"{rel} is up to date")
    elif args.write:
        mfile.write_atomically(path, text)
        _say(f"wrote {rel}")
    else:
        _say(f"not written: run again with --write to update {rel}")
    return 0


def register(group) -> None:
    """``carta monitoring compute`` (``group`` as in :func:`carta.cli.build_parser`)."""
    monitoring = group("monitoring", "yearly results of the charter's standards")
    q = monitoring("compute", cmd_compute,
                   "measure the standards from the backend's records and show (or --write) "
                   "content/monitoring/YEAR.yaml")
    q.add_argument("--year", type=int, required=True, metavar="YYYY")
    q.add_argument("--write", action="store_true",
                   help="write the file (without it: only show the difference)")
    q.add_argument("--min-cases", type=int, default=None, metavar="N",
                   help="fewest cases worth a percentage where a rule sets none (default: 5)")
