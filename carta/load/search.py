"""Checks of ``content/search.yaml`` that need the rest of the charter, located in the file."""

from __future__ import annotations

from carta.errors import Problem
from carta.load.source import Source
from carta.model.charter import Charter

FILE = "content/search.yaml"


def check_search(charter: Charter, sources: dict[str, Source]) -> list[Problem]:
    """A language the site is not built in would be a list no search ever uses: refuse it."""
    src = sources.get(FILE)
    if src is None:
        return []
    languages = charter.district.languages
    return [src.problem(("synonyms", lang), f"{lang!r} is not one of the site's languages "
                        f"({', '.join(languages)}: content/district.yaml)")
            for lang in charter.search.synonyms if lang not in languages]
