"""The site's search: one index per language, synonyms, the summary as a scheda's snippet.

Material's search loads ``search/search_index.json`` from the site's base.  Each language gets
its own index in its own folder (``search/…`` for the default language, ``en/search/…`` and
so on), stemmed for that language only, and each page's Material configuration points the base
at its language's folder (:func:`language_base`): a reader on the French site finds French
pages and nothing else.

Besides title and text, every entry has a ``synonyms`` field: the terms of every group of
``content/search.yaml`` that the entry mentions.  lunr indexes it; Material shows only title
and text, so nothing of it reaches the page or a screen reader.

A page with a summary (AgID's ``data-element="service-description"``) gets it as the text of
its own entry, the one Material shows under the page's title in the results; the section that
held the summary (the title's) is merged into it instead of being listed again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from carta.model.search import mentioned

SYNONYMS = "synonyms"
# Material's fields plus the synonyms, found as readily as the text
FIELDS = {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1000000.0},
          SYNONYMS: {"boost": 1.0}}
# words split at spaces, hyphens, slashes and apostrophes (l'anziano, dell’ISEE)
SEPARATOR = r"[\s\-/'’]+"
# lunr-languages' trimmer, stop words and stemmer of the index's language (Material's default
# keeps only the stop words: "anziano" would not find "anziani")
PIPELINE = ["trimmer", "stopWordFilter", "stemmer"]
SUMMARY = 'data-element="service-description"'


def language_prefix(lang: str, default: str) -> str:
    """The folder of ``lang``'s pages under the site: ``""`` for the default language."""
    return "" if lang == default else f"{lang}/"


def index_config(lang: str) -> dict:
    """The lunr configuration of ``lang``'s index, as Material's search worker reads it."""
    return {"lang": [lang], "separator": SEPARATOR, "pipeline": PIPELINE, "fields": FIELDS}


def language_entries(entries: list[dict], lang: str, languages: list[str]) -> list[dict]:
    """Those of ``entries`` (any language's, as MkDocs' search plugin collected them) that are
    ``lang``'s pages, with locations relative to the language's folder."""
    default = languages[0]
    prefix = language_prefix(lang, default)
    others = tuple(f"{x}/" for x in languages if x != lang and x != default)
    if prefix:
        return [{**e, "location": e["location"][len(prefix):]} for e in entries
                if e["location"].startswith(prefix)]
    return [e for e in entries if not e["location"].startswith(others)]


def write_index(site_dir: Path, lang: str, languages: list[str], entries: list[dict]) -> Path:
    """Write ``lang``'s index (of ``entries``, any language's) into its folder of
    ``site_dir``; return its path."""
    path = site_dir / language_prefix(lang, languages[0]) / "search" / "search_index.json"
    text = json.dumps({"config": index_config(lang),
                       "docs": language_entries(entries, lang, languages)},
                      separators=(",", ":"), ensure_ascii=False, default=str)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # may be a hard link to a language's own copy
    path.write_bytes(text.encode("utf-8"))
    return path


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_BASE = re.compile(r'("base":\s*")([^"]*)(")')
_WORKER = re.compile(r'("search":\s*"[^"]*/)workers/(search\.[0-9a-f]+\.min\.js)(")')


def page_search(html: str, prefix: str) -> str:
    """``html`` with Material's search configured for carta: the base pointing at the folder
    of the page's language, where its index is (Material reads nothing else from the base in
    carta's configuration: no instant navigation, no versions), and carta's worker (which
    stems what the reader types, then runs Material's)."""
    def config(m: re.Match) -> str:
        text = m[2]
        if prefix:
            text = _BASE.sub(lambda b: b[1] + b[2].rstrip("/") + "/" + prefix + b[3], text,
                             count=1)
        text = _WORKER.sub(lambda w: f"{w[1]}carta/search-worker.js?material={w[2]}{w[3]}",
                           text, count=1)
        return m[1] + text + m[3]

    return _CONFIG.sub(config, html, count=1)


def improve_entries(entries: list[dict], page_url: str, content: str,
                    groups: list[list[str]], lang: str) -> list[dict]:
    """The search entries of one page with the summary first and the synonyms added."""
    summary = _summary(content)
    if summary:
        entries = _summary_first(entries, page_url, summary)
    if groups:
        for entry in entries:
            terms = mentioned(groups, _plain(entry.get("title", "") + " " + entry["text"]), lang)
            if terms:
                entry[SYNONYMS] = " ".join(terms)
    return entries


def _summary_first(entries: list[dict], page_url: str, summary: str) -> list[dict]:
    page = next((e for e in entries if e["location"] == page_url), None)
    if page is None:
        return entries
    page["text"] = summary
    return [e for e in entries if e is page or "#" not in e["location"]
            or summary not in e["text"]]


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").replace("&lt;", "<") \
        .replace("&gt;", ">")


def _summary(content: str) -> str:
    """The summary's text as Material's search indexes text (paragraphs kept), or ""."""
    if SUMMARY not in content:
        return ""
    from material.plugins.search.plugin import Parser

    inner = _inner(content, content.index(SUMMARY))
    if not inner:  # not the markup carta's scheda template writes: no summary to put first
        return ""
    parser = Parser()
    parser.feed(inner)
    parser.close()
    return "".join(t for s in parser.data for t in s.text).strip()


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def _inner(content: str, at: int) -> str | None:
    """The inner HTML of the element whose start tag holds position ``at``, found by counting
    that element's own tags (no full parse of the page: 20,000 pages at 1000 schede); None
    when the markup is not that simple."""
    start = content.rfind("<", 0, at)
    opening = _TAG.match(content, start)
    if opening is None or opening.group(1) or opening.end() <= at:
        return None
    name, depth = opening.group(2).lower(), 1
    for tag in _TAG.finditer(content, opening.end()):
        if tag.group(2).lower() != name:
            continue
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return content[opening.end():tag.start()]
    return None
