"""The ``carta`` command line: every command takes ``--root DIR`` (default: here).

The charter's own commands live here; the form backend registers its commands (serve, users,
outbox, db, purge, backup, restore) from :mod:`form_backend.commands`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from carta.errors import CharterError
from carta.load.charter import load_cached


def load_or_exit(args: argparse.Namespace):
    try:
        return load_cached(args.root)
    except CharterError as exc:
        if getattr(args, "json", False):  # for editors' tools: one JSON shape per problem
            json.dump([p.as_dict() for p in exc.problems], sys.stdout, ensure_ascii=False,
                      indent=1)
            print()
            raise SystemExit(1) from None
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        print(f"carta: {n} problem{'s' if n != 1 else ''} in {args.root}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the charter; with --translations, report translation coverage."""
    charter = load_or_exit(args)
    if args.translations:
        from carta.load.translations import coverage

        short = False
        for cov in coverage(charter):
            print(f"{cov.lang}: {cov.percent:5.1f} % ({cov.translated}/{cov.total} text fields)")
            for where in cov.missing[: args.show_missing]:
                print(f"  missing: {where}")
            short = short or cov.translated < cov.total
        return 1 if short and args.strict else 0
    from carta.strings import fallback_notes

    for note in fallback_notes(charter.district.languages, charter.string_overrides):
        print(note, file=sys.stderr)
    n_ind = sum(len(s.quality) for s in charter.services)
    print(f"ok: {charter.district.short_name.it}: {len(charter.services)} schede in "
          f"{len(charter.areas)} areas, {len(charter.offices)} offices, {n_ind} service "
          f"indicators, {len(charter.tariffs.tariffs)} tariffs")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the whole charter as open data to stdout: carta's JSON, or CPSV-AP_IT RDF with
    its DCAT-AP_IT record (Turtle, JSON-LD), checked against carta's SHACL shapes."""
    charter = load_or_exit(args)
    if args.format == "json":
        from carta.export.opendata import render_json

        sys.stdout.write(render_json(charter))
        return 0
    from carta.export.dcat import missing
    from carta.export.rdf import charter_graph, render_rdf, validate

    conforms, problems = validate(charter_graph(charter))
    for line in missing(charter):
        print(f"note: {line}", file=sys.stderr)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not conforms:
        n = sum(p.severity == "Violation" for p in problems)
        print(f"carta: the RDF export breaks {n} CPSV-AP_IT/DCAT-AP_IT constraint"
              f"{'s' if n != 1 else ''}; nothing written", file=sys.stderr)
        return 1
    sys.stdout.write(render_rdf(charter, args.format))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write (or, with --check, compare) the JSON Schemas under schema/."""
    from carta.export.schema import render_schema, schema_files

    out = Path(args.out)
    stale = []
    for name, schema in schema_files().items():
        text = render_schema(name, schema)
        target = out / name
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            out.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if stale:
        print("carta: out-of-date schema files (run `carta schema`): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a minimal charter into a new folder, ready for check, build, print and serve."""
    from carta.scaffold import scaffold

    try:
        files = scaffold(Path(args.dir), args.name)
    except FileExistsError as exc:
        print(f"carta: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} files under {args.dir}: edit them, then "
          f"`carta check --root {args.dir}`")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the multilingual static site of the charter (strict: broken links fail)."""
    import logging

    from mkdocs.exceptions import MkDocsException

    from carta.website.build import build

    load_or_exit(args)  # report charter problems in the editors' format before MkDocs starts
    root = Path(args.root).resolve()  # worker processes must not depend on the cwd
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        build(root, site_dir, pdfs=not args.no_pdf)
    except (MkDocsException, SystemExit) as exc:
        print(f"carta: site build failed: {exc}", file=sys.stderr)
        return 1
    print(f"built {site_dir}")
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    """Print the schede, the blank forms and the binder (or an update bundle) as PDFs."""

    from carta.print.build import print_charter

    charter = load_or_exit(args)
    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            print(f"carta: --since {args.since!r} is not a date: write YYYY-MM-DD", file=sys.stderr)
            return 2
    if args.lang not in charter.district.languages:
        print(f"carta: --lang {args.lang!r} is not offered by this charter "
              f"({', '.join(charter.district.languages)})", file=sys.stderr)
        return 2
    from carta.print.build import default_out

    out = Path(args.out) if args.out else default_out(charter.root, args.lang)
    try:
        print_charter(charter, out, args.lang, since, args.jobs)
    except Exception as exc:  # WeasyPrint, fonts, disk: one clear line, non-zero exit
        print(f"carta: printing failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_mkdocs_yml(args: argparse.Namespace) -> int:
    """Print the project's mkdocs.yml for the charter at --root."""
    from carta.website.build import project_mkdocs_yml

    sys.stdout.write(project_mkdocs_yml(load_or_exit(args)))
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    """Serve a live preview: a saved YAML file shows in the browser within seconds."""
    import logging

    from carta.website.preview import serve

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    serve(Path(args.root), args.host, args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``carta``."""
    parser = argparse.ArgumentParser(prog="carta", description="A Carta dei Servizi as YAML.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--root", default=".", help="charter folder holding content/ and "
                       "services/ (default: current directory)")
        p.set_defaults(func=func)
        return p

    def group(name: str, help_: str):
        """A command with sub-commands (``carta users add``); ``--root`` is accepted on the
        group and on each sub-command, and whichever is written wins."""
        p = add(name, None, help_)
        subs = p.add_subparsers(dest=f"{name}_command", required=True)

        def nested(sub_name: str, func, sub_help: str) -> argparse.ArgumentParser:
            q = subs.add_parser(sub_name, help=sub_help, description=sub_help)
            # SUPPRESS: a sub-command's own default would overwrite the group's --root
            q.add_argument("--root", default=argparse.SUPPRESS,
                           help="charter folder (may also be given before the sub-command)")
            q.set_defaults(func=func)
            return q

        return nested

    p = add("check", cmd_check, "validate the charter and report every problem at once")
    p.add_argument("--json", action="store_true",
                   help="print the problems as a JSON list on stdout (for tools)")
    p.add_argument("--translations", action="store_true",
                   help="report per-language coverage of the text fields")
    p.add_argument("--strict", action="store_true",
                   help="with --translations: exit 1 unless every language is at 100 %%")
    p.add_argument("--show-missing", type=int, default=0, metavar="N",
                   help="with --translations: list up to N untranslated fields per language")
    p = add("export", cmd_export, "write the charter as open data to stdout")
    p.add_argument("--format", choices=["json", "ttl", "jsonld"], default="json",
                   help="json: carta's own shape (versioned); ttl, jsonld: CPSV-AP_IT services "
                   "and the DCAT-AP_IT record as RDF, checked against SHACL shapes first")
    p = add("new", cmd_new, "write a minimal charter into a new folder DIR")
    p.add_argument("dir", metavar="DIR", help="the new charter folder (must not hold files)")
    p.add_argument("--name", default="Nuovo Ambito", help="the district's name")
    p = add("build", cmd_build, "build the multilingual static site (strict mode)")
    p.add_argument("--site-dir", default=None, help="output folder (default: ROOT/site)")
    p.add_argument("--no-pdf", action="store_true",
                   help="skip the printable PDFs (faster previews)")
    p = add("print", cmd_print, "print the sheets, blank forms and binder as A4 PDFs")
    p.add_argument("--out", default=None,
                   help="output folder (default: a cache folder outside the charter, "
                   "$XDG_CACHE_HOME/carta/print/<hash of ROOT>/LANG; the path is printed)")
    p.add_argument("--lang", default="it", help="language of the sheets (default: it)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD",
                   help="only the schede revised after this date, with a cover sheet")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    from form_backend.commands import register

    register(add, group)
    add("mkdocs-yml", cmd_mkdocs_yml, "print the mkdocs.yml that plain `mkdocs build` uses")
    p = add("preview", cmd_preview, "live preview for editors: pages reload as YAML is saved")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p = add("schema", cmd_schema, "write the JSON Schemas of the charter files")
    p.add_argument("--out", default="schema", help="folder for the schema files")
    p.add_argument("--check", action="store_true", help="fail if the files are out of date")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carta`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
