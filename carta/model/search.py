"""What the site's search treats as the same word (``content/search.yaml``).

Per language, groups of equivalent terms: a reader who types any term of a group finds the
pages that use another (``anziani`` finds a page that says ``terza età``).  The site indexes
the whole group on every page section that mentions one of its terms, in a search field that
no reader sees.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from carta.model.base import Model

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


def _distinct(group: list[str]) -> list[str]:
    seen: set[str] = set()
    for term in group:
        key = " ".join(term.casefold().split())
        if key in seen:
            raise ValueError(f"{term!r} is twice in this group")
        seen.add(key)
    return group


Group = Annotated[list[Term], Field(min_length=2, max_length=30), AfterValidator(_distinct)]


class Search(Model):
    """``synonyms``: per language code, a list of groups, each a list of terms that mean the
    same to someone searching the site (words or short phrases, in any case)."""

    synonyms: dict[Language, list[Group]] = Field(
        default_factory=dict,
        description="per language (it, en, …) a list of groups of equivalent search terms, "
                    "like [anziani, terza età, over 65]")

    def groups(self, lang: str) -> list[list[str]]:
        """The groups of ``lang`` (none when the file does not list the language)."""
        return [list(g) for g in self.synonyms.get(lang, [])]


# Arabic joins "and", "so", "with", "for", "like" to the next word (وكبار السن)
_PROCLITICS = {"ar": "[وفبلك]?"}


def mentioned(groups: list[list[str]], text: str, lang: str) -> list[str]:
    """The terms of every group of which ``text`` mentions a term (as a whole word or phrase,
    in any case), group by group, each once."""
    folded = text.casefold()
    words = set(_WORD.findall(folded))
    proclitics = _PROCLITIC_CHARS.get(lang)
    if proclitics:
        words |= {w[1:] for w in words if w[0] in proclitics}
    found: list[str] = []
    for group in groups:
        pattern, first_words = _pattern(tuple(group), lang)
        # a term is found only where its first word is a whole word of the text (or one
        # after a proclitic): most groups are ruled out without running their pattern
        if first_words is not None and words.isdisjoint(first_words):
            continue
        if pattern.search(folded):
            found += [t for t in group if t not in found]
    return found


_WORD = re.compile(r"\w+")
_PROCLITIC_CHARS = {lang: set(chars.strip("[]?")) for lang, chars in _PROCLITICS.items()}
_PATTERNS: dict[tuple[tuple[str, ...], str], tuple[re.Pattern[str], frozenset[str] | None]] = {}


def _pattern(group: tuple[str, ...], lang: str
             ) -> tuple[re.Pattern[str], frozenset[str] | None]:
    """One pattern for a whole group (every page section is searched once per group, not once
    per term: 20,000 sections at 1000 schede), and the first words of its terms (None when
    one of them is not a plain word, like "a.s.l.": then the pattern is always run)."""
    key = (group, lang)
    if key not in _PATTERNS:
        terms = "|".join(r"\s+".join(re.escape(w) for w in term.casefold().split())
                         for term in sorted(group, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w){_PROCLITICS.get(lang, '')}(?:{terms})(?!\w)")
        first = {term.casefold().split()[0] for term in group}
        plain = all(_WORD.fullmatch(w) for w in first)
        _PATTERNS[key] = (pattern, frozenset(first) if plain else None)
    return _PATTERNS[key]
