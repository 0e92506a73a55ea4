"""Cross-references written in the charter's text: ``[vedi Allegato 1](see:fasce)``.

Editors write an ordinary Markdown link whose address is ``see:`` and a target the model knows,
in every language; the words stay theirs ("vedi scheda B", "see sheet B").  ``carta check``
reports a target that does not exist; :mod:`carta.present.links` turns each reference into a
link on the site and a page reference in the printed binder.

Targets:

========================  =============================================================
``servizi/<slug>``        a scheda
``servizi/<slug>#sedi``   the sites (sedi, nurseries, centres) of a scheda that lists them
``uffici``                every office and its hours (the binder's "scheda B")
``uffici/<id or kind>``   one office, or the offices of a kind (``ufficio-di-piano``)
``fasce``                 access bands by ISEE (Allegato 1)
``tariffe``               the tariff table (Allegato 2)
``enti-gestori``          the providers (Allegato 3)
``parametri``             the further access parameters and their points (Allegato 4)
``reclami``               the complaint procedure
``moduli/<form id>``      a form (``moduli/reclamo`` is Allegato 5)
========================  =============================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carta.model.charter import Charter

SEE = re.compile(r"\[([^\]]+)\]\(see:([^)\s]*)\)")
_FIXED = ("uffici", "fasce", "tariffe", "enti-gestori", "parametri", "reclami")


@dataclass(frozen=True)
class Target:
    """What a reference points to: its kind, the key within the kind, and the object."""

    kind: str  # service | sites | offices | office | bands | tariffs | providers | parameters …
    key: str | None
    obj: Any = None


def links_in(text: str) -> Iterator[tuple[str, str]]:
    """(label, target) of every ``[label](see:target)`` in ``text``."""
    for m in SEE.finditer(text):
        yield m.group(1), m.group(2)


def resolve(charter: Charter, target: str) -> Target | None:
    """The target named ``target``, or None when the charter has no such thing."""
    head, _, rest = target.partition("/")
    if head == "servizi" and rest:
        slug, _, fragment = rest.partition("#")
        service = charter.service_by_slug.get(slug)
        if service is None or fragment not in ("", "sedi"):
            return None
        if fragment == "sedi":
            return Target("sites", slug, service) if service.sites else None
        return Target("service", slug, service)
    if head == "uffici" and rest:
        offices = charter.offices_for([rest])
        return Target("office", rest, offices) if offices else None
    if head == "moduli" and rest:
        form = charter.form_by_id.get(rest)
        return Target("form", rest, form) if form else None
    if rest or head not in _FIXED:
        return None
    present = {"uffici": charter.offices, "fasce": charter.bands, "tariffe": charter.tariffs,
               "enti-gestori": charter.providers, "parametri": charter.access_parameters,
               "reclami": charter.complaints}[head]
    return Target(head, None, present) if present else None


def known_targets(charter: Charter) -> list[str]:
    """Every target the charter offers (for "did you mean" hints)."""
    out = [t for t in _FIXED if resolve(charter, t)]
    out += [f"servizi/{s.slug}" for s in charter.services]
    out += [f"servizi/{s.slug}#sedi" for s in charter.services if s.sites]
    out += sorted({f"uffici/{o.id}" for o in charter.offices} | {f"uffici/{o.kind}"
                                                                  for o in charter.offices})
    out += [f"moduli/{f.id}" for f in charter.forms]
    return out
