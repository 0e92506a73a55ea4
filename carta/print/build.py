"""Make the PDFs of the ring binder with WeasyPrint: sheets, forms, the binder, update bundles.

Each part is its own WeasyPrint document (so every sheet set carries its own "pagina n di m"
and colour band); the binder is those parts merged in order, with a contents page whose page
numbers come from the parts' real page counts, and cross-references that give the binder page
of their target (the sheets saved one by one are the binder's, so they give the same pages).
Parts render in parallel worker processes forked from this one, so they share its parsed
charter instead of reading the YAML again.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from carta.load.charter import load_cached
from carta.model.charter import Charter
from carta.model.service import Status
from carta.print import results, sheets

_WORKER: dict[str, Charter] = {}


@dataclass(frozen=True)
class Part:
    """One document of the binder: what it is, its id, and its file name when saved alone."""

    kind: str  # scheda | form | divider | general | monitoring
    key: str
    filename: str | None


@dataclass(frozen=True)
class Rendered:
    """A part's PDF; for each element id in it, the page (from 0) it lands on; and for each
    anchor its cross-references cite, the binder page it was given (None: no page)."""

    pdf: bytes
    anchors: dict[str, int]
    pages: int
    cited: dict[str, int | None] = field(default_factory=dict)


def part_html(charter: Charter, part: Part, lang: str, pages: sheets.Pages = None) -> str:
    """The HTML of one part of the binder."""
    if part.kind == "scheda":
        return sheets.scheda_document(charter, charter.service_by_slug[part.key], lang, pages)
    if part.kind == "form":
        return sheets.form_document(charter, charter.form_by_id[part.key], lang, pages)
    if part.kind == "divider":
        area = next(a for a in charter.areas if a.slug == part.key)
        return sheets.divider_document(charter, area, lang)
    if part.kind == "monitoring":
        return results.monitoring_document(charter, lang, pages)
    return sheets.general_document(charter, lang, pages)


_CITED = re.compile(r'data-anchor="([^"]+)"')


def render_part(charter: Charter, part: Part, lang: str, pages: sheets.Pages = None) -> Rendered:
    """One part rendered, knowing which anchors it cites and with which pages."""
    html = part_html(charter, part, lang, pages)
    done = render(html)
    cited = {a: (pages or {}).get(a) for a in _CITED.findall(html)}
    return Rendered(done.pdf, done.anchors, done.pages, cited)


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document (fonts from the system: Debian's Noto)."""
    return render(html).pdf


def render(html: str) -> Rendered:
    """The PDF of an HTML document and the page of each of its element ids."""
    import weasyprint

    document = weasyprint.HTML(string=html).render()
    anchors: dict[str, int] = {}
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
    return Rendered(document.write_pdf(), anchors, len(document.pages))


def _init_worker(root: str | None) -> None:
    if root is not None:  # spawned, not forked: the parent's charter did not come along
        _WORKER["charter"] = load_cached(root)


def _render_in_worker(args: tuple[Part, str, dict | None]) -> tuple[Part, Rendered]:
    part, lang, pages = args
    return part, render_part(_WORKER["charter"], part, lang, pages)


def binder_parts(charter: Charter) -> list[Part]:
    """The binder in order: general part, each area's divider and schede, the monitoring
    section (each year's results, when the charter publishes any), the blank forms."""
    parts = [Part("general", "generale", None)]
    for area in charter.areas:
        services = [s for s in charter.services_in(area) if s.status is not Status.withdrawn]
        if not services:
            continue
        parts.append(Part("divider", area.slug, None))
        parts += [Part("scheda", s.slug, f"{s.slug}.pdf") for s in services]
    if charter.monitoring:
        parts.append(Part("monitoring", "risultati", "risultati.pdf"))
    parts += [Part("form", f.id, f"modulo-{f.id}.pdf") for f in charter.forms]
    return parts


def render_parts(charter: Charter, parts: list[Part], lang: str, jobs: int,
                 progress: Callable[[str], None],
                 pages: dict[str, int] | None = None) -> dict[Part, Rendered]:
    """Render ``parts`` with ``jobs`` worker processes (1 = in this process); ``pages`` gives
    cross-references the binder page of their targets."""
    done: dict[Part, Rendered] = {}
    total = len(parts)
    if jobs <= 1 or len(parts) <= 1:
        for i, part in enumerate(parts, 1):
            done[part] = render_part(charter, part, lang, pages)
            progress(f"[{i}/{total}] {part.filename or part.kind + ' ' + part.key}")
        return done
    # Import WeasyPrint and load the fonts once here: forked workers inherit them warm,
    # and the parsed charter with them.
    render_pdf("<p>warm-up</p>")
    fork = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if fork else None
    _WORKER["charter"] = charter
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, mp_context=context,
                             initargs=(None if fork else str(charter.root),)) as pool:
        for i, (part, rendered) in enumerate(pool.map(
                _render_in_worker, [(p, lang, pages) for p in parts]), 1):
            done[part] = rendered
            progress(f"[{i}/{total}] {part.filename or part.kind + ' ' + part.key}")
    return done


def merge(pdfs: list[bytes]) -> bytes:
    """One PDF made of ``pdfs`` in order."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def default_out(root: Path | str, lang: str) -> Path:
    """Where ``carta print`` writes when no ``--out`` is given: a cache folder named after
    the charter folder (``$XDG_CACHE_HOME/carta/print/<hash of ROOT>/<lang>``, else
    ``~/.cache/…``), never inside the charter, which holds only what editors write."""
    import hashlib

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:16]
    return base / "carta" / "print" / key / lang


def print_charter(source: Charter | Path | str, out: Path | None = None, lang: str = "it",
                  since: dt.date | None = None, jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write the PDFs of a charter (or the charter folder ``source``) into ``out``; return
    the files written.

    Without ``since``: one PDF per scheda, one per blank form and the whole binder
    (``carta.pdf``).  With ``since``: only the schede revised after that date plus a cover
    sheet (``aggiornamento-YYYY-MM-DD.pdf``); nothing at all when nothing changed.  Without
    ``out``: :func:`default_out`, outside the charter folder.
    """
    progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    charter = source if isinstance(source, Charter) else load_cached(source)
    if lang not in charter.district.languages:
        raise ValueError(f"language {lang!r} is not offered by this charter "
                         f"({', '.join(charter.district.languages)})")
    jobs = jobs or os.cpu_count() or 1
    out = out if out is not None else default_out(charter.root, lang)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    if since is not None:
        changed = [s for s in charter.services
                   if s.revised > since and s.status is not Status.withdrawn]
        withdrawn = [s for s in charter.services
                     if s.revised > since and s.status is Status.withdrawn]
        if not changed and not withdrawn:
            progress(f"nothing changed since {since:%d/%m/%Y}: no sheets written")
            return []
        parts = [Part("scheda", s.slug, f"{s.slug}.pdf") for s in changed]
        rendered = render_parts(charter, parts, lang, jobs, progress)
        cover = out / f"aggiornamento-{since.isoformat()}.pdf"
        cover.write_bytes(render_pdf(sheets.since_cover_document(charter, lang, since, changed,
                                                                 withdrawn)))
        written.append(cover)
        for part in parts:
            written.append(_save(out / part.filename, rendered[part].pdf))
        return written

    parts = binder_parts(charter)
    # Cross-references give the binder page of their target, known only once every part
    # before it is laid out.  Start from the pages of the last run (a guess, usually right),
    # then render again only the parts whose cited pages turned out different.
    known = out / ".binder-pages.json"
    guess = _read_pages(known)
    rendered = render_parts(charter, parts, lang, jobs, progress, guess)
    progress("binder: page references, contents and merge")
    cover = render_pdf(sheets.cover_document(charter, lang))
    counts = [rendered[p].pages for p in parts]
    toc = render_pdf(sheets.contents_document(charter, lang, _toc(charter, parts, counts, lang), 0))
    first = 1 + page_count(cover) + page_count(toc)
    for _ in range(4):
        pages = _anchor_pages(parts, rendered, first)
        stale = [p for p in parts if any(pages.get(anchor) != used
                                         for anchor, used in rendered[p].cited.items())]
        if not stale:
            break
        rendered.update(render_parts(charter, stale, lang, jobs, lambda _msg: None, pages))
    for part in parts:
        if part.filename:
            written.append(_save(out / part.filename, rendered[part].pdf))
    counts = [rendered[p].pages for p in parts]
    toc = render_pdf(sheets.contents_document(charter, lang, _toc(charter, parts, counts, lang),
                                              offset=first))
    merged = merge([cover, toc] + [rendered[p].pdf for p in parts])
    written.append(_save(out / "carta.pdf", merged))
    known.write_text(json.dumps(_anchor_pages(parts, rendered, first), sort_keys=True))
    progress(f"wrote {len(written)} files to {out}")
    return written


def _read_pages(path: Path) -> dict[str, int] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _anchor_pages(parts: list[Part], rendered: dict[Part, Rendered], first: int) -> dict[str, int]:
    """Binder page (from 1) of every element id of every part."""
    pages, page = {}, first
    for part in parts:
        for name, i in rendered[part].anchors.items():
            pages.setdefault(name, page + i)
        page += rendered[part].pages
    return pages


def _toc(charter: Charter, parts: list[Part], counts: list[int], lang: str) -> list[tuple]:
    """(level, code, title, first page relative to the first part) of the binder's parts."""
    entries, page = [], 0
    for part, n in zip(parts, counts, strict=True):
        if part.kind == "general":
            entries.append((0, "", charter.t(lang, "print_general_part"), page))
        elif part.kind == "divider":
            area = next(a for a in charter.areas if a.slug == part.key)
            entries.append((0, area.code, area.name.resolve(lang)[0], page))
        elif part.kind == "scheda":
            s = charter.service_by_slug[part.key]
            entries.append((1, s.code, s.title.resolve(lang)[0], page))
        elif part.kind == "monitoring":
            entries.append((0, "", charter.t(lang, "results_title"), page))
        else:
            form = charter.form_by_id[part.key]
            entries.append((1, form.code, form.title.resolve(lang)[0], page))
        page += n
    return entries


def _save(path: Path, data: bytes) -> Path:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
