"""What the office reads as the name of each attachment."""

from __future__ import annotations

import pytest

from form_backend.office.answers import document_name, may_be_health_document


@pytest.mark.parametrize(("lang", "expected"), [
    ("it", "Documento inviato dal cittadino in risposta alla richiesta di integrazione"),
    ("ar", "مستند أرسله المواطن ردًا على طلب استكمال الملف")])
def test_a_citizens_reply_is_named_as_such_not_by_its_storage_key(shipped, lang, expected):
    assert document_name(shipped, "telesoccorso", "integrazione-17", lang) == expected
    # and, as anything a citizen may send, it opens only to those allowed health documents
    assert may_be_health_document(shipped, "telesoccorso", "integrazione-17")


def test_the_other_documents_and_a_scheda_document_keep_their_names(shipped):
    service = next(s for s in shipped.services if s.access.documents)
    first = service.access.documents[0]
    key = f"doc-{first.id or 0}"
    assert document_name(shipped, service.slug, key, "it") == first.name.resolve("it")[0]
    assert document_name(shipped, service.slug, "doc-altri", "it") != "doc-altri"
