"""YAML folder → validated :class:`~carta.model.charter.Charter`, or every problem at once.

Each file is validated against its own model, so a problem is reported at the file, line and
column where the editor wrote it. References across files are checked afterwards, again
collecting every problem before stopping.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from carta.errors import CharterError, Problem
from carta.load.messages import friendly
from carta.load.references import check_references
from carta.load.search import check_search
from carta.load.source import Source, read_source
from carta.load.surveys import check_surveys
from carta.model.base import is_slug
from carta.model.charter import Charter
from carta.model.organisation import Areas, District, HealthContacts, Offices, Providers, Sections
from carta.model.quality import Monitoring, SystemQuality
from carta.model.rules import AccessParameters, Bands, Complaints, Forms, Tariffs
from carta.model.satisfaction import Satisfaction
from carta.model.search import Search
from carta.model.service import Service
from carta.strings import check_overrides, merge


@dataclass(frozen=True)
class FileKind:
    """A kind of charter file: where it lives and which model validates it."""

    path: str
    model: type[BaseModel]
    required: bool


CONTENT_FILES = [
    FileKind("content/district.yaml", District, True),
    FileKind("content/areas.yaml", Areas, True),
    FileKind("content/offices.yaml", Offices, True),
    FileKind("content/complaints.yaml", Complaints, True),
    FileKind("content/forms.yaml", Forms, True),
    FileKind("content/tariffs.yaml", Tariffs, False),
    FileKind("content/bands.yaml", Bands, False),
    FileKind("content/access_parameters.yaml", AccessParameters, False),
    FileKind("content/providers.yaml", Providers, False),
    FileKind("content/system_quality.yaml", SystemQuality, False),
    FileKind("content/health.yaml", HealthContacts, False),
    FileKind("content/sections.yaml", Sections, False),
    FileKind("content/satisfaction.yaml", Satisfaction, False),
    FileKind("content/search.yaml", Search, False),
]
# Files under content/ that other parts of carta read (hand-written site pages).
OTHER_CONTENT = re.compile(r"^content/pages/")
_STRINGS = re.compile(r"^content/strings/([a-z]{2})\.yaml$")
_MONITORING = re.compile(r"^content/monitoring/(\d{4})\.yaml$")


def charter_files(root: Path) -> list[Path]:
    """Every YAML file of the charter under ``root``, sorted."""
    files = [*root.glob("content/**/*.yaml"), *root.glob("content/**/*.yml"),
             *root.glob("services/*.yaml"), *root.glob("services/*.yml")]
    return sorted(set(files))


def content_hash(root: Path) -> str:
    """SHA-256 over every charter file's path and bytes: the version of the charter."""
    digest = hashlib.sha256()
    for file in charter_files(root):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


_LOADED: dict[Path, tuple[str, Charter]] = {}


def load_cached(root: Path | str) -> Charter:
    """The charter at ``root``, parsed once per version of its files in this process.

    ``carta build`` checks the charter, then MkDocs runs the hooks once per language and the
    printer once per language: all of them get this one parse.
    """
    root = Path(root).resolve()
    version = content_hash(root)
    cached = _LOADED.get(root)
    if cached and cached[0] == version:
        return cached[1]
    charter = load_charter(root)
    _LOADED[root] = (version, charter)
    return charter


def validate_source(source: Source, model: type[BaseModel],
                    problems: list[Problem], extra: dict | None = None) -> Any:
    """Validate one file's data; append located problems; return the object or None."""
    data = source.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(source.problem((), "expected a mapping of keys at the top of the file"))
        return None
    if extra:
        data = {**data, **extra}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, int) or "[" not in str(p))
            problems.append(source.problem(loc, friendly(err, model, loc)))
        return None


def load_charter(root: Path | str = ".") -> Charter:
    """Load and validate the charter under ``root``; raise :class:`CharterError` listing all."""
    root = Path(root).resolve()
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    parsed: dict[str, Any] = {}

    if not (root / "content").is_dir() and not (root / "services").is_dir():
        raise CharterError([Problem(".", 1, 1, (), f"no content/ or services/ folder in {root}: "
                                    "pass the charter folder with --root")])

    known = {k.path for k in CONTENT_FILES}
    for file in charter_files(root):
        rel = file.relative_to(root).as_posix()
        if rel.startswith("content/") and rel not in known and not _MONITORING.match(rel) \
                and not _STRINGS.match(rel) and not OTHER_CONTENT.match(rel):
            problems.append(Problem(rel, 1, 1, (), "unknown charter file; expected one of: "
                                    + ", ".join(sorted(known)) + ", content/monitoring/YYYY.yaml"))

    for kind in CONTENT_FILES:
        file = root / kind.path
        if not file.exists():
            if kind.required:
                problems.append(Problem(kind.path, 1, 1, (), "required file is missing"))
            continue
        source, found = read_source(file, kind.path)
        problems += found
        sources[kind.path] = source
        if not found:
            parsed[kind.path] = validate_source(source, kind.model, problems)

    services: list[Service] = []
    service_sources: dict[str, Source] = {}
    for file, _, source in _named_sources(
            root, "services/*.y*ml", lambda f, _rel: is_slug(f.stem),
            lambda f: f"file name {f.name!r} is not a valid slug: use lowercase letters, "
                      "digits and hyphens, like services/telesoccorso.yaml", problems):
        slug = file.stem
        if isinstance(source.data, dict) and "slug" in source.data:
            problems.append(source.problem(("slug",), "remove this key: the slug is the file "
                                           f"name ({slug})"))
            continue
        service = validate_source(source, Service, problems, extra={"slug": slug})
        if service is not None:
            services.append(service)
            service_sources[slug] = source

    monitoring: list[tuple[Monitoring, Source]] = []
    for file, match, source in _named_sources(
            root, "content/monitoring/*.y*ml", lambda _f, rel: _MONITORING.match(rel),
            lambda _f: "name monitoring files by year, like content/monitoring/2023.yaml",
            problems):
        report = validate_source(source, Monitoring, problems)
        if report is not None:
            if report.year != int(match.group(1)):
                problems.append(source.problem(("year",), f"year {report.year} does not match "
                                               f"the file name {file.name}"))
            monitoring.append((report, source))

    district = parsed.get("content/district.yaml")
    overrides = _load_strings(root, problems, district.languages if district else None)

    if problems or any(parsed.get(k.path) is None for k in CONTENT_FILES
                       if k.required and k.path in sources):
        raise CharterError(problems)

    def get(path: str, default: Any = None) -> Any:
        return parsed.get(path, default)

    charter = Charter(
        root=root,
        content_hash=content_hash(root),
        district=get("content/district.yaml"),
        areas=get("content/areas.yaml").areas,
        offices=get("content/offices.yaml").offices,
        services=_with_codes(services, get("content/areas.yaml")),
        tariffs=get("content/tariffs.yaml") or Tariffs(tariffs=[]),
        bands=get("content/bands.yaml"),
        access_parameters=get("content/access_parameters.yaml"),
        providers=(get("content/providers.yaml") or Providers(providers=[])).providers,
        forms=get("content/forms.yaml").forms,
        complaints=get("content/complaints.yaml"),
        system_quality=get("content/system_quality.yaml"),
        health=get("content/health.yaml"),
        sections=(get("content/sections.yaml") or Sections(sections=[])).sections,
        monitoring=sorted((m for m, _ in monitoring), key=lambda m: m.year),
        satisfaction=get("content/satisfaction.yaml"),
        search=get("content/search.yaml") or Search(),
        strings=merge(overrides),
        string_overrides=overrides,
    )
    problems += check_references(charter, sources, service_sources,
                                 {m.year: s for m, s in monitoring})
    problems += check_surveys(charter, sources, service_sources)
    problems += check_search(charter, sources)
    if problems:
        raise CharterError(problems)
    return charter


def _named_sources(root: Path, pattern: str, accept: Callable[[Path, str], Any],
                   hint: Callable[[Path], str], problems: list[Problem]
                   ) -> Iterator[tuple[Path, Any, Source]]:
    """The readable files under ``root`` matching ``pattern`` whose names ``accept`` takes,
    with what ``accept`` returned; a badly named or unreadable file becomes a problem."""
    named = []
    for file in sorted(root.glob(pattern)):
        rel = file.relative_to(root).as_posix()
        accepted = accept(file, rel)
        if not accepted:
            problems.append(Problem(rel, 1, 1, (), hint(file)))
            continue
        named.append((file, rel, accepted))
    for (file, _, accepted), (source, found) in zip(
            named, _read_all([(file, rel) for file, rel, _ in named]), strict=True):
        problems += found
        if not found:
            yield file, accepted, source


def _read_all(files: list[tuple[Path, str]]) -> list[tuple[Source, list[Problem]]]:
    """:func:`read_source` of each ``(file, rel)``.  Hundreds of files (the schede of a large
    charter) are read half here and half in a forked process, on a second core, when this
    process may fork: no other thread, not itself a daemon worker."""
    import multiprocessing

    if len(files) < _READ_BESIDE or not _may_fork():
        return _read_each(files)
    from concurrent.futures import ProcessPoolExecutor

    half = len(files) // 2
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        later = pool.submit(_read_each, files[half:])
        first = _read_each(files[:half])
        return first + later.result()


_READ_BESIDE = 200  # files; fewer take less time to read than a process takes to start


def _may_fork() -> bool:
    import multiprocessing
    import os
    import threading

    return ((os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1 and not multiprocessing.current_process().daemon)


def _read_each(files: list[tuple[Path, str]]) -> list[tuple[Source, list[Problem]]]:
    return [read_source(file, rel) for file, rel in files]


def _load_strings(root: Path, problems: list[Problem],
                  languages: list[str] | None) -> dict[str, dict[str, str]]:
    """The charter's optional interface strings per language (only what it words differently
    from carta's defaults), checked against the defaults."""
    found: dict[str, tuple[Source, dict[str, str]]] = {}
    for file, _, source in _named_sources(
            root, "content/strings/*.y*ml", lambda _f, rel: _STRINGS.match(rel),
            lambda _f: "name string files by language, like content/strings/en.yaml", problems):
        if source.data is None:
            continue  # an empty file overrides nothing
        if not isinstance(source.data, dict):
            problems.append(source.problem((), "expected a mapping of key: text"))
            continue
        table = {}
        for key, value in source.data.items():
            if not isinstance(value, str) or not value.strip():
                problems.append(source.problem((key,), "expected a non-empty text"))
            else:
                table[key] = value.strip()
        found[file.stem] = (source, table)
    problems += check_overrides(found, languages)
    return {lang: table for lang, (_, table) in found.items()}


def _with_codes(services: list[Service], areas: Areas) -> list[Service]:
    """The schede in binder order, each with its area's code letter (an editor may write the
    slug) and a code: stated, or derived as the area letter and the next free number."""
    by_slug = {a.slug: a.code for a in areas.areas}
    services = [s.model_copy(update={"area": by_slug[s.area]}) if s.area in by_slug else s
                for s in services]
    taken = {s.code for s in services if s.code}
    position: dict[str, int] = {}
    done = []
    for s in services:  # file (slug) order
        n = position[s.area] = position.get(s.area, 0) + 1
        if s.code is None:
            while f"{s.area}{n}" in taken:
                n += 1
            taken.add(f"{s.area}{n}")
            s = s.model_copy(update={"code": f"{s.area}{n}"})
        done.append(s)
    return sorted(done, key=lambda s: _service_order(s, areas))


def _service_order(service: Service, areas: Areas) -> tuple:
    order = {a.code: i for i, a in enumerate(areas.areas)}
    digits = re.findall(r"\d+|\D+", service.code)
    return (order.get(service.area, len(order)),
            [(0, int(d), "") if d.isdigit() else (1, 0, d) for d in digits])
