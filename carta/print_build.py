"""Make the PDFs of the ring binder with WeasyPrint: sheets, forms, the binder, update bundles.

Each part is its own WeasyPrint document (so every sheet set carries its own "pagina n di m"
and colour band); the binder is those parts merged in order, with a contents page whose page
numbers come from the parts' real page counts.  Parts render in parallel worker processes.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from carta import render_print as rp
from carta.load import load_cached, load_charter
from carta.model import Charter
from carta.service import Status

_WORKER: dict[str, Charter] = {}


@dataclass(frozen=True)
class Part:
    """One document of the binder: what it is, its id, and its file name when saved alone."""

    kind: str  # scheda | form | divider | general
    key: str
    filename: str | None


def _html(charter: Charter, part: Part, lang: str) -> str:
    if part.kind == "scheda":
        return rp.scheda_document(charter, charter.service_by_slug[part.key], lang)
    if part.kind == "form":
        return rp.form_document(charter, charter.form_by_id[part.key], lang)
    if part.kind == "divider":
        area = next(a for a in charter.areas if a.slug == part.key)
        return rp.divider_document(charter, area, lang)
    return rp.general_document(charter, lang)


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document (fonts from the system: Debian's Noto)."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()


def _init_worker(root: str) -> None:
    _WORKER["charter"] = load_charter(root)


def _render_in_worker(args: tuple[Part, str]) -> tuple[Part, bytes]:
    part, lang = args
    return part, render_pdf(_html(_WORKER["charter"], part, lang))


def binder_parts(charter: Charter) -> list[Part]:
    """The binder in order: general part, each area's divider and schede, the blank forms."""
    parts = [Part("general", "generale", None)]
    for area in charter.areas:
        services = [s for s in charter.services_in(area) if s.status is not Status.withdrawn]
        if not services:
            continue
        parts.append(Part("divider", area.slug, None))
        parts += [Part("scheda", s.slug, f"{s.slug}.pdf") for s in services]
    parts += [Part("form", f.id, f"modulo-{f.id}.pdf") for f in charter.forms]
    return parts


def render_parts(charter: Charter, parts: list[Part], lang: str, jobs: int,
                 progress: Callable[[str], None]) -> dict[Part, bytes]:
    """Render ``parts`` to PDF bytes, with ``jobs`` worker processes (1 = in this process)."""
    done: dict[Part, bytes] = {}
    total = len(parts)
    if jobs <= 1:
        for i, part in enumerate(parts, 1):
            done[part] = render_pdf(_html(charter, part, lang))
            progress(f"[{i}/{total}] {part.filename or part.kind + ' ' + part.key}")
        return done
    # Import WeasyPrint and load the fonts once here: forked workers inherit them warm.
    render_pdf("<p>warm-up</p>")
    context = multiprocessing.get_context("fork") if "fork" in \
        multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, mp_context=context,
                             initargs=(str(charter.root),)) as pool:
        for i, (part, pdf) in enumerate(pool.map(_render_in_worker,
                                                 [(p, lang) for p in parts]), 1):
            done[part] = pdf
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


def print_charter(source: Charter | Path | str, out: Path, lang: str = "it", since: dt.date | None = None,
                  jobs: int | None = None,
                  progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write the PDFs of a charter (or the charter folder ``source``) into ``out``; return
    the files written.

    Without ``since``: one PDF per scheda, one per blank form and the whole binder
    (``carta.pdf``).  With ``since``: only the schede revised after that date plus a cover
    sheet (``aggiornamento-YYYY-MM-DD.pdf``); nothing at all when nothing changed.
    """
    progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    charter = source if isinstance(source, Charter) else load_cached(source)
    if lang not in charter.district.languages:
        raise ValueError(f"language {lang!r} is not offered by this charter "
                         f"({', '.join(charter.district.languages)})")
    jobs = jobs or os.cpu_count() or 1
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
        cover.write_bytes(render_pdf(rp.since_cover_document(charter, lang, since, changed,
                                                             withdrawn)))
        written.append(cover)
        for part in parts:
            written.append(_save(out / part.filename, rendered[part]))
        return written

    parts = binder_parts(charter)
    rendered = render_parts(charter, parts, lang, jobs, progress)
    for part in parts:
        if part.filename:
            written.append(_save(out / part.filename, rendered[part]))
    progress("binder: contents and merge")
    counts = [page_count(rendered[p]) for p in parts]
    cover = render_pdf(rp.cover_document(charter, lang))
    toc_entries = _toc(charter, parts, counts, lang)
    toc = render_pdf(rp.contents_document(charter, lang, toc_entries, offset=0))
    first = 1 + page_count(cover) + page_count(toc)
    toc = render_pdf(rp.contents_document(charter, lang, toc_entries, offset=first))
    binder = merge([cover, toc] + [rendered[p] for p in parts])
    written.append(_save(out / "carta.pdf", binder))
    progress(f"wrote {len(written)} files to {out}")
    return written


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
