"""How much of the charter's text exists in each of the district's languages."""

from __future__ import annotations

from dataclasses import dataclass

from carta.load.references import walk_texts
from carta.model.charter import Charter


@dataclass(frozen=True)
class Coverage:
    """Translated text fields of one language, with where the gaps are."""

    lang: str
    translated: int
    total: int
    missing: tuple[str, ...]

    @property
    def percent(self) -> float:
        """Share of text fields translated, 0–100."""
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total


def coverage(charter: Charter) -> list[Coverage]:
    """Coverage for every language of the district except Italian (always 100 %)."""
    holders = [("content", charter.model_copy(update={"services": [], "monitoring": []}))]
    holders += [(f"services/{s.slug}.yaml", s) for s in charter.services]
    holders += [(f"content/monitoring/{m.year}.yaml", m) for m in charter.monitoring]
    texts = []
    for where, obj in holders:
        for path, text in walk_texts(obj):
            dotted = ".".join(str(p) for p in path)
            texts.append((f"{where}:{dotted}", text))
    out = []
    for lang in charter.district.languages[1:]:
        missing = tuple(where for where, t in texts if not t.has(lang))
        out.append(Coverage(lang, len(texts) - len(missing), len(texts), missing))
    return out
