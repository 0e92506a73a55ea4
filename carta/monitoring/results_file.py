"""``content/monitoring/<year>.yaml`` as ``carta monitoring compute`` writes it: carta's rows
recomputed, everything the editors wrote kept.

A row is carta's when it names a standard carta measures (same scheda or scope and
``indicator_ref``) and its ``source`` is carta's.  Its numbers, texts and formula are
replaced at each run; its ``reason`` and ``notes`` are the editors' and stay.  Every other
row (written by hand, or with another source), the title, the publication date and the
improvement actions stay as they are.  Comments are carta's own and are written afresh: the
list of the standards carta cannot measure, and the cases still open within their deadline.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from carta.errors import Problem
from carta.load.source import read_source
from carta.model.quality import Monitoring
from carta.model.text import Text
from carta.monitoring import wording as words
from carta.monitoring.measure import Computed, Standard

EDITORS = ("reason", "notes")  # fields of carta's rows that belong to the editors
_ORDER = ["service", "scope", "service_name", "indicator_ref", "factor", "indicator",
          "guaranteed", "realized_pct", "not_measurable", "too_few_cases", "met", "numerator",
          "denominator", "formula", "reason", "source", "notes"]
_SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "monitoring.schema.json"


def plain(value: Any) -> Any:
    """Model values as the text carta reads back: Text as {it: …} (or one string), numbers
    and yes/no as words."""
    if isinstance(value, Text):
        return value.it if list(value) == ["it"] else dict(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _key(row: dict) -> tuple[str, str] | None:
    ref = row.get("indicator_ref")
    return ((row.get("service") or row.get("scope") or ""), ref) if ref else None


def carta_sources(charter) -> set[str]:
    """The Italian sources of carta's rows: the charter's wording and carta's own (rows
    written before the charter worded it differently stay carta's)."""
    return {text for key in (words.SOURCE, words.SOURCE_ANSWERS)
            for text in (words.text(charter, key).it, words.default_italian(key))}


def _is_carta(row: dict, sources: set[str]) -> bool:
    found = row.get("source")
    italian = found.get("it") if isinstance(found, dict) else found
    return isinstance(italian, str) and italian.strip() in sources


def merge(existing: dict | None, year: int, computed: list[Computed],
          charter) -> tuple[dict, list[str]]:
    """The file's data with carta's rows brought up to date, and what the editors should
    know (rows kept although carta measures them, rows carta no longer computes)."""
    data = dict(existing or {})
    data.setdefault("year", str(year))
    data.setdefault("title", plain(words.text(charter, "monitoring_title", year=year)))
    results = [dict(r) for r in data.get("results") or [] if isinstance(r, dict)]
    index = {_key(r): i for i, r in enumerate(results) if _key(r)}
    source = carta_sources(charter)
    notes, fresh = [], set()
    for item in computed:
        new = plain(item.row)
        key = item.standard.key
        fresh.add(key)
        i = index.get(key)
        if i is None:
            results.append(new)
            continue
        old = results[i]
        if not _is_carta(old, source):
            notes.append(f"{'/'.join(key)}: kept the row written by hand; carta measured "
                         f"{_summary(new)}")
            continue
        for name in EDITORS:
            if old.get(name) is not None:
                new[name] = old[name]
        results[i] = new
    for key, i in index.items():
        if key not in fresh and _is_carta(results[i], source):
            notes.append(f"{'/'.join(key)}: carta no longer measures it; the row is kept "
                         "(delete it by hand if it should go)")
    data["results"] = [_ordered(r) for r in results]
    order = ["year", "published", "title", "results", "actions"]
    return {k: data[k] for k in [*order, *sorted(set(data) - set(order))] if k in data}, notes


def _summary(row: dict) -> str:
    if row.get("too_few_cases") == "true":
        return f"too few cases ({row.get('numerator', '0')}/{row.get('denominator', '0')})"
    return f"{row['realized_pct']} % ({row['numerator']}/{row['denominator']})"


def _ordered(row: dict) -> dict:
    return {k: row[k] for k in [*_ORDER, *[k for k in row if k not in _ORDER]] if k in row}


class _Dumper(yaml.SafeDumper):
    """Plain scalars wherever carta reads them back unchanged (it reads all values as text);
    list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()}


def render(data: dict, year: int, computed: list[Computed], unmeasured: list[Standard],
           schema_line: str | None) -> str:
    """The file's text: schema line, a note on who owns what, the data, carta's comments."""
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=96)
    lines = []
    for line in body.splitlines():
        if line.endswith(": null") and line.lstrip().startswith("reason:"):
            line = line[: -len(" null")]
        if line.startswith(("  - ", "results:", "actions:")) and lines \
                and lines[-1] not in ("results:", "actions:"):
            lines.append("")
        lines.append(line)
    head = [schema_line] if schema_line else []
    head += [f"# Quality results of {year}. Rows whose source is carta are computed by",
             f"# `carta monitoring compute --year {year}` from the backend's records and "
             "recomputed at each",
             "# run, except their reason and notes; every other row is the editors' and is "
             "kept.",
             "# An empty reason: the standard was missed, say why."]
    written = {s.key for s in unmeasured} & {_key(r) for r in data.get("results", [])}
    todo = [s for s in unmeasured if s.key not in written]
    tail = []
    if todo:
        tail += ["", "# Standards carta cannot measure: add their rows by hand "
                 "(service or scope: indicator_ref)."]
        by_reason: dict[str, dict[str, list[str]]] = {}
        for s in todo:
            by_reason.setdefault(s.why_not or "", {}).setdefault(s.key[0], []).append(s.key[1])
        for why, groups in by_reason.items():
            tail.append(f"#   {why}:")
            for where, refs in groups.items():
                tail += textwrap.wrap(f"{where}: {', '.join(refs)}", 96,
                                      initial_indent="#     ", subsequent_indent="#       ",
                                      break_on_hyphens=False)
    pending = [(c.standard, len(c.tally.pending)) for c in computed if c.tally.pending]
    if pending:
        tail += ["", "# Cases still open within their deadline, not counted yet:"]
        tail += [f"#   {'/'.join(s.key)}: {n}" for s, n in pending]
    return "\n".join([*head, *lines, *tail]) + "\n"


def schema_line(existing_text: str | None, target: Path) -> str | None:
    """The file's own schema comment, else one pointing to carta's ``schema/`` (when carta
    runs from a checkout that has it)."""
    if existing_text:
        first = existing_text.splitlines()[0] if existing_text.strip() else ""
        if first.startswith("# yaml-language-server:"):
            return first
    if not _SCHEMA.exists():
        return None
    where = os.path.relpath(_SCHEMA, target.resolve().parent)
    return f"# yaml-language-server: $schema={Path(where).as_posix()}"


def read_existing(path: Path, rel: str) -> tuple[str | None, dict | None, list[Problem]]:
    """The file's text and plain data (None when missing), and its YAML problems."""
    if not path.exists():
        return None, None, []
    source, problems = read_source(path, rel)
    data = source.data if isinstance(source.data, dict) else None
    return path.read_text(encoding="utf-8"), data, problems


def check(text: str, rel: str) -> list[Problem]:
    """What ``carta check`` would say about ``text`` as a monitoring file (nothing, unless
    an editor's row was already wrong)."""
    from carta.load.charter import validate_source

    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "results.yaml"
        file.write_text(text, encoding="utf-8")
        source, problems = read_source(file, rel)
    if not problems:
        validate_source(source, Monitoring, problems)
    return problems


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
