"""Text in the reader's language, and whether it fell back to Italian (shown with a notice)."""

from __future__ import annotations

from dataclasses import dataclass

from carta.model.text import Text
from carta.present.formats import direction


@dataclass(frozen=True)
class Shown:
    """A text as shown in one language: the words, the language they are in, and whether that
    is a fallback (Italian on a page in another language), which renderers must mark."""

    text: str
    lang: str
    fallback: bool = False

    @property
    def dir(self) -> str:
        """Writing direction of the words themselves (``ltr`` for Italian on an Arabic page)."""
        return direction(self.lang)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def shown(value: Text | str | None, lang: str) -> Shown | None:
    """``value`` in ``lang``, or in Italian marked as a fallback; plain strings (names, codes)
    are language-neutral and never a fallback. None stays None."""
    if value is None:
        return None
    if isinstance(value, str) and not isinstance(value, Text):
        return Shown(value, lang)
    text, used = value.resolve(lang)
    return Shown(text, used, fallback=used != lang)


def any_fallback(*values: object) -> bool:
    """Whether any :class:`Shown` among ``values`` (nested in lists, tuples, dataclasses) is a
    fallback: the page then carries the "shown in Italian" notice."""
    from dataclasses import fields, is_dataclass

    for value in values:
        if isinstance(value, Shown):
            if value.fallback:
                return True
        elif isinstance(value, (list, tuple)):
            if any_fallback(*value):
                return True
        elif is_dataclass(value) and not isinstance(value, type) and any_fallback(
                *(getattr(value, f.name) for f in fields(value))):
            return True
    return False
