"""carta's own interface strings (``carta/strings/<lang>.yaml``) and how a charter overrides them.

Every renderer and the backend ask :meth:`carta.model.charter.Charter.t` for a key. The answer comes
from the first layer that has it: the charter's ``content/strings/<lang>.yaml``, carta's
defaults in ``<lang>``, the charter's Italian file, carta's Italian defaults. A charter's files
are optional and hold only what it words differently (its own facts, deliberate wording);
Italian is the reference every other file follows.

Defaults carry no district's facts. Where a message shows an example taken from the charter
(``{phone_example}``), carta fills it from the model unless the caller passes a value.
"""

from __future__ import annotations

import difflib
import string
from functools import lru_cache
from pathlib import Path

from carta.errors import Problem
from carta.load.source import Source, read_source

REFERENCE = "it"
DEFAULTS_DIR = Path(__file__).resolve().parent
# Placeholders carta fills from the charter itself (see Charter.string_values): an override may
# drop them (writing its own example) without losing anything a caller passes.
CHARTER_VALUES = frozenset({"phone_example"})
NEUTRAL_PHONE = "0123 456789"


@lru_cache(maxsize=1)
def defaults() -> dict[str, dict[str, str]]:
    """carta's default strings per language, read once; a broken file is a broken install."""
    tables: dict[str, dict[str, str]] = {}
    for file in sorted(DEFAULTS_DIR.glob("*.yaml")):
        source, problems = read_source(file, f"carta/strings/{file.name}")
        if problems or not isinstance(source.data, dict):
            raise RuntimeError("carta's default strings do not load: "
                               + ("; ".join(map(str, problems)) or file.name))
        tables[file.stem] = {k: v.strip() for k, v in source.data.items()}
    return tables


def placeholders(text: str) -> set[str]:
    """The names of the ``{placeholders}`` in ``text``; ValueError when braces are unbalanced."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field.split(".")[0].split("[")[0])
    return names


class _Keep(dict):
    """Format values where a missing one stays visible as ``{name}`` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: dict[str, object]) -> str:
    """``text`` with its placeholders filled; never raises (a bad template comes back as is)."""
    if "{" not in text:
        return text
    try:
        return string.Formatter().vformat(text, (), _Keep(values))
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return text


def merge(overrides: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Per language: carta's defaults with the charter's keys on top."""
    base = defaults()
    return {lang: {**base.get(lang, {}), **overrides.get(lang, {})}
            for lang in sorted(set(base) | set(overrides))}


def lookup(tables: dict[str, dict[str, str]], lang: str, key: str) -> tuple[str, str] | None:
    """``(text, language it is in)`` from merged ``tables``: ``lang``, then Italian."""
    for layer in (lang, REFERENCE):
        text = (tables.get(layer) or {}).get(key) or defaults().get(layer, {}).get(key)
        if text:
            return text, layer
    return None


def check_overrides(found: dict[str, tuple[Source, dict[str, str]]],
                    languages: list[str] | None) -> list[Problem]:
    """Problems in a charter's string files: unknown keys, placeholders that do not match
    carta's, braces that do not parse, files for languages the district does not offer."""
    reference = defaults()[REFERENCE]
    problems = []
    for lang, (source, table) in sorted(found.items()):
        if languages is not None and lang not in languages:
            problems.append(source.problem((), f"the district does not offer {lang!r} (languages "
                                           f"in content/district.yaml: {', '.join(languages)}): "
                                           "add it there or remove this file"))
        own = defaults().get(lang, {})
        for key, text in table.items():
            if key not in reference:
                hint = difflib.get_close_matches(key, reference, n=1)
                problems.append(source.problem((key,), "unknown interface string"
                                               + (f"; did you mean {hint[0]!r}?" if hint else "")
                                               + " (carta's keys are in carta/strings/it.yaml)"))
                continue
            try:
                used = placeholders(text)
            except ValueError:
                problems.append(source.problem((key,), "unbalanced { or }: write placeholders "
                                               "as {name}, like " + _example(reference[key])))
                continue
            expected = placeholders(own.get(key) or reference[key])
            extra, lost = used - expected, expected - used - CHARTER_VALUES
            if extra or lost:
                problems.append(source.problem((key,), _mismatch(extra, lost, expected)))
    return problems


def _example(default: str) -> str:
    return repr(default) if "{" in default else "{label}"


def _mismatch(extra: set[str], lost: set[str], expected: set[str]) -> str:
    parts = []
    if extra:
        parts.append("carta fills no " + ", ".join(f"{{{n}}}" for n in sorted(extra)) + " here")
    if lost:
        parts.append("missing " + ", ".join(f"{{{n}}}" for n in sorted(lost)))
    allowed = ", ".join(f"{{{n}}}" for n in sorted(expected)) or "none"
    return "; ".join(parts) + f" (placeholders of this string: {allowed})"


def fallback_notes(languages: list[str], overrides: dict[str, dict[str, str]]) -> list[str]:
    """One line per offered language whose interface is (partly) shown in Italian because
    neither carta nor the charter has its strings."""
    needed = set(defaults()[REFERENCE])
    notes = []
    for lang in languages:
        if lang == REFERENCE or lang in defaults():
            continue
        missing = needed - set(overrides.get(lang, {}))
        if missing:
            notes.append(f"note: {lang}: {len(missing)} of {len(needed)} interface strings are "
                         f"shown in Italian: carta has no {lang!r} defaults; translate "
                         f"carta/strings/it.yaml into content/strings/{lang}.yaml")
    return notes


def json_schema() -> dict:
    """The JSON Schema of a charter's ``content/strings/<lang>.yaml``: carta's keys, each with
    its Italian default as a description, so editors get completion and see unknown keys."""
    return {
        "type": "object",
        "description": "Interface strings this charter words differently from carta's defaults "
                       "(carta/strings/<lang>.yaml); every key is optional.",
        "properties": {key: {"type": "string", "minLength": 1, "description": text}
                       for key, text in sorted(defaults()[REFERENCE].items())},
        "additionalProperties": False,
    }
