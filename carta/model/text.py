"""Multilingual text: ``"testo"`` or ``{it: …, en: …, fr: …, ar: …}``; Italian is required."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

AUTHORITATIVE = "it"
_LANG = re.compile(r"^[a-z]{2}$")


class Text(Mapping[str, str]):
    """Immutable mapping language → text, with Italian always present."""

    __slots__ = ("_by_lang",)

    def __init__(self, by_lang: Mapping[str, str] | str):
        if isinstance(by_lang, str):
            by_lang = {AUTHORITATIVE: by_lang}
        object.__setattr__(self, "_by_lang", dict(by_lang))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Text is immutable")

    def __getitem__(self, lang: str) -> str:
        return self._by_lang[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_lang)

    def __len__(self) -> int:
        return len(self._by_lang)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._by_lang.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self._by_lang == other._by_lang
        if isinstance(other, str):
            return self._by_lang == {AUTHORITATIVE: other}
        return NotImplemented

    def __repr__(self) -> str:
        return f"Text({self._by_lang!r})"

    def __str__(self) -> str:
        return self.it

    @property
    def it(self) -> str:
        """The authoritative Italian text."""
        return self._by_lang[AUTHORITATIVE]

    def resolve(self, lang: str) -> tuple[str, str]:
        """The text in ``lang`` and the language actually used (Italian when missing)."""
        if lang in self._by_lang:
            return self._by_lang[lang], lang
        return self.it, AUTHORITATIVE

    def has(self, lang: str) -> bool:
        """Whether a translation exists for ``lang`` (Italian always does)."""
        return lang in self._by_lang

    @classmethod
    def _validate(cls, value: Any) -> Text:
        if isinstance(value, Text):
            return value
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("text is empty: write the Italian text or remove the key")
            return cls(value.strip())
        if isinstance(value, Mapping):
            bad = [k for k in value if not isinstance(k, str) or not _LANG.match(k)]
            if bad:
                raise ValueError(f"{bad[0]!r} is not a language code; write e.g. "
                                 "{it: Asilo nido, en: Nursery}")
            if AUTHORITATIVE not in value:
                raise ValueError("the Italian text is missing: write e.g. "
                                 "{it: Asilo nido, en: Nursery}")
            out = {}
            for lang, text in value.items():
                if not isinstance(text, str) or not text.strip():
                    raise ValueError(f"the {lang!r} text is empty or not text")
                out[lang] = text.strip()
            return cls(out)
        raise ValueError("expected text, or a mapping of languages like {it: …, en: …}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda t: dict(t._by_lang)),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: GetJsonSchemaHandler):
        return {
            "description": "Italian text, or a mapping of language code to text (Italian required)",
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "properties": {"it": {"type": "string", "minLength": 1}},
                    "patternProperties": {"^[a-z]{2}$": {"type": "string", "minLength": 1}},
                    "additionalProperties": False,
                    "required": ["it"],
                },
            ],
        }
