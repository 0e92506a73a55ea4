"""The hand-written docs stay true: every test they cite exists."""

from __future__ import annotations

import re

import pytest

from tests.factory import REPO

DEFINED = {name for path in (REPO / "tests").glob("test_*.py")
           for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)}


@pytest.mark.parametrize("doc", ["docs/security.md", "docs/reliability.md"])
def test_every_test_a_doc_cites_exists(doc):
    cited = set(re.findall(r"`(test_\w+)", (REPO / doc).read_text(encoding="utf-8")))
    missing = sorted(cited - DEFINED)
    assert not missing, f"{doc} cites tests that do not exist: {missing}"


def test_security_page_covers_every_finding_of_the_review():
    text = (REPO / "docs/security.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) [^|]+\| ", text, re.M)
    assert [int(r) for r in rows[:11]] == list(range(1, 12))


def test_every_backend_setting_is_documented_in_readme():
    from form_backend.config import DEFAULTS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [k if k.startswith("CARTA_") else f"CARTA_{k}" for k in DEFAULTS]
    missing = [n for n in names if f"`{n}`" not in readme]
    assert not missing, f"settings missing from README's table: {missing}"
