"""carta's default interface strings and a charter's overrides: merge, checks, never a KeyError."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from carta.errors import CharterError
from carta.load.charter import load_charter
from carta.strings import CHARTER_VALUES, REFERENCE, defaults, fallback_notes, placeholders
from tests.factory import REPO, base, write_charter

DEFAULT_LANGS = ["it", "en", "fr", "ar"]
# Facts of the shipped charters that must never be carta's own words.
DISTRICT_FACTS = ["Napoli", "081 878 55 42", "8785542", "F839", "Sorrento", "Tutela Utenti",
                  "Coordinatore", "Coordinator", "Servizi Sociali", "Ambito di esempio",
                  "0999 000"]


def charter_with(tmp_path: Path, strings: dict[str, str] | None = None, changes=None) -> Path:
    """The factory charter with no strings of its own, or with ``strings`` as literal files."""
    root = write_charter(tmp_path, changes)
    shutil.rmtree(root / "content" / "strings")
    for lang, text in (strings or {}).items():
        path = root / "content" / "strings" / f"{lang}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(CharterError) as info:
        load_charter(root)
    return [str(p) for p in info.value.problems]


# --- the defaults themselves ------------------------------------------------------------------

def test_defaults_exist_for_every_language_with_the_same_keys_and_placeholders():
    tables = defaults()
    assert sorted(tables) == sorted(DEFAULT_LANGS)
    reference = tables[REFERENCE]
    for lang in DEFAULT_LANGS:
        assert set(tables[lang]) == set(reference), lang
        for key, text in tables[lang].items():
            assert placeholders(text) == placeholders(reference[key]), (lang, key)


@pytest.mark.parametrize("lang", DEFAULT_LANGS)
def test_defaults_carry_no_district_facts(lang):
    text = (REPO / "carta" / "strings" / f"{lang}.yaml").read_text(encoding="utf-8")
    assert [fact for fact in DISTRICT_FACTS if fact in text] == []


_SOURCES = [*(REPO / "carta").rglob("*.py"), *(REPO / "form_backend").rglob("*.py"),
            *(REPO / "form_backend").rglob("*.html"), *(REPO / "carta").rglob("*.html"),
            *(REPO / "form_backend" / "templates").rglob("*.txt"),  # e-mails
            *(REPO / "carta" / "website" / "templates").rglob("*.md")]  # site pages: "key"|t
# t("key"), p.t("key"), charter.t(lang, "key"), charter().t(g.lang, "key"), msg("key")
_CALL = re.compile(r"""\b(?:t|msg)\(\s*(?:[\w.]+(?:\(\))?[\w.]*,\s*)?["']([a-z][a-z0-9_]*)["']""")
_FILTER = re.compile(r"""["']([a-z][a-z0-9_]*)["']\|t\b""")  # site templates: "key"|t
# keys built in code from a literal prefix: f"day_{…}", "receipt_title_" ~ kind, key ~ "_title"
_PREFIX = re.compile(r"""f["']([a-z][a-z0-9_]*_)\{|["']([a-z][a-z0-9_]*_)["']\s*[~+]""")
# keys deliberately shipped though no code asks for them yet (none today)
SPARE: set[str] = set()


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in _SOURCES
                     if "strings" not in p.parts)


def test_every_key_the_code_asks_for_is_a_default():
    code = _code()
    # t("en", key): a language; "key"|t: how the site's docs write the filter
    asked = {k for k in [*_CALL.findall(code), *_FILTER.findall(code)]
             if len(k) > 2 and k != "key"}
    keys = set(defaults()[REFERENCE])
    prefixes = {k for k in asked if k.endswith("_")}  # t("day_" + …): some key must start so
    assert asked - prefixes - keys == set(), "add these keys to carta/strings/*.yaml"
    assert [p for p in prefixes if not any(k.startswith(p) for k in keys)] == []


def test_every_default_is_used_somewhere_or_listed_as_spare():
    code = _code()
    literals = set(re.findall(r"""["']([a-z][a-z0-9_]*)["']""", code))
    prefixes = {a or b for a, b in _PREFIX.findall(code)}
    error_titles = '~ "_title"' in code  # error pages: t(key ~ "_title") for key in err_404 …

    def used(key: str) -> bool:
        return (key in literals or key in SPARE or any(key.startswith(p) for p in prefixes)
                or (error_titles and key.endswith("_title") and key[:-6] in literals))

    assert [k for k in defaults()[REFERENCE] if not used(k)] == []


@pytest.mark.parametrize("root", [REPO, REPO / "examples" / "accoglienza"],
                         ids=["shipped", "accoglienza"])
def test_shipped_charters_override_only_what_they_word_differently(root):
    charter = load_charter(root)
    same = [(lang, key) for lang, table in charter.string_overrides.items()
            for key, text in table.items() if text == defaults()[lang][key]]
    assert same == []


def test_the_example_charter_uses_carta_strings_only():
    assert load_charter(REPO / "examples" / "accoglienza").string_overrides == {}


# --- merging a charter's overrides ----------------------------------------------------------

def test_a_charter_without_strings_uses_the_defaults_in_every_language(tmp_path):
    charter = load_charter(charter_with(tmp_path))
    for lang in DEFAULT_LANGS:
        assert charter.t(lang, "form_skip") == defaults()[lang]["form_skip"]
    assert charter.string_overrides == {}


def test_an_override_replaces_only_its_key_in_its_language(tmp_path):
    charter = load_charter(charter_with(tmp_path, {"it": "home_title: Carta dei Servizi Sociali\n"}))
    assert charter.t("it", "home_title") == "Carta dei Servizi Sociali"
    assert charter.t("en", "home_title") == defaults()["en"]["home_title"]
    assert charter.t("it", "home_intro") == defaults()["it"]["home_intro"]


def test_a_language_without_defaults_falls_back_to_italian_and_check_says_so(tmp_path):
    district = base("content/district.yaml")
    district["languages"] = ["it", "en", "de"]
    root = charter_with(tmp_path, {"de": "home_title: Dienstleistungscharta\n"},
                        {"content/district.yaml": district})
    charter = load_charter(root)
    assert charter.t("de", "home_title") == "Dienstleistungscharta"
    assert charter.string("de", "form_skip") == (defaults()["it"]["form_skip"], "it")
    notes = fallback_notes(charter.district.languages, charter.string_overrides)
    assert len(notes) == 1 and notes[0].startswith("note: de: ")
    assert "content/strings/de.yaml" in notes[0]


def test_a_missing_key_never_raises(tmp_path):
    charter = load_charter(charter_with(tmp_path))
    assert charter.t("it", "no_such_key") == "no_such_key"
    assert charter.t("xx", "form_skip") == defaults()["it"]["form_skip"]


def test_placeholders_are_filled_and_a_missing_value_stays_visible(tmp_path):
    charter = load_charter(charter_with(tmp_path))
    assert charter.t("it", "err_too_long", label="Nome", max=80) == (
        "«Nome» può avere al massimo 80 caratteri.")
    assert "{max}" in charter.t("it", "err_too_long", label="Nome")


def test_the_phone_example_comes_from_the_charter(tmp_path):
    offices = base("content/offices.yaml")
    offices["offices"][0]["phones"] = ["0761 123456"]
    charter = load_charter(charter_with(tmp_path, changes={"content/offices.yaml": offices}))
    assert "0761 123456" in charter.t("it", "err_phone")
    assert "0761 123456" in charter.t("ar", "err_phone")


def test_without_any_phone_the_example_is_neutral(tmp_path):
    charter = load_charter(charter_with(tmp_path))
    assert charter.t("en", "err_phone") == "Enter a valid phone number, like 0123 456789."


def test_an_empty_strings_file_overrides_nothing(tmp_path):
    charter = load_charter(charter_with(tmp_path, {"en": "# nothing to override yet\n"}))
    assert charter.t("en", "home_title") == defaults()["en"]["home_title"]


# --- what carta check reports ---------------------------------------------------------------

def test_an_unknown_key_is_reported_where_it_is_written_with_a_suggestion(tmp_path):
    root = charter_with(tmp_path, {"it": "home_title: Carta\n", "en": "home_titel: Charter\n"})
    assert problems_of(root) == [
        "content/strings/en.yaml:1:1: home_titel: unknown interface string; did you mean "
        "'home_title'? (carta's keys are in carta/strings/it.yaml)"]


@pytest.mark.parametrize(("text", "message"), [
    ('err_too_long: "«{label}» è troppo lungo: al massimo {massimo}."',
     "carta fills no {massimo} here; missing {max} (placeholders of this string: {label}, {max})"),
    ('err_too_long: "Il campo è troppo lungo: al massimo {max} caratteri."',
     "missing {label} (placeholders of this string: {label}, {max})"),
    ('home_title: "Carta {district}"',
     "carta fills no {district} here (placeholders of this string: none)"),
    ('err_too_long: "«{label» al massimo {max}."', "unbalanced { or }"),
])
def test_placeholders_that_do_not_match_carta_are_reported(tmp_path, text, message):
    found = problems_of(charter_with(tmp_path, {"it": text + "\n"}))
    assert len(found) == 1 and found[0].startswith("content/strings/it.yaml:1:1: ")
    assert message in found[0]


def test_an_override_may_write_its_own_example_instead_of_the_charters(tmp_path):
    assert "phone_example" in CHARTER_VALUES
    root = charter_with(tmp_path, {"it": "err_phone: Scrivi un numero come 0761 123456.\n"})
    assert load_charter(root).t("it", "err_phone") == "Scrivi un numero come 0761 123456."


def test_a_strings_file_for_a_language_the_district_does_not_offer(tmp_path):
    found = problems_of(charter_with(tmp_path, {"fr": "home_title: Charte\n"}))
    assert found == ["content/strings/fr.yaml:1:1: the district does not offer 'fr' (languages "
                     "in content/district.yaml: it, en): add it there or remove this file"]


def test_an_empty_text_is_reported(tmp_path):
    found = problems_of(charter_with(tmp_path, {"it": 'home_title: ""\n'}))
    assert found == ["content/strings/it.yaml:1:1: home_title: expected a non-empty text"]


def test_the_published_schema_offers_carta_keys_and_refuses_others():
    import jsonschema

    from carta.export.schema import schema_files, schema_for

    schema = schema_files()[schema_for("content/strings/en.yaml")]
    jsonschema.validate({"home_title": "Charter"}, schema)
    assert schema["properties"]["form_skip"]["description"] == defaults()["it"]["form_skip"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"home_titel": "Charter"}, schema)
