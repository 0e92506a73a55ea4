"""Legal texts as charter data: the privacy notice of a form (Reg. UE 2016/679 art. 13) and
the facts D.Lgs 33/2013 art. 35 asks of each procedure (the substitute with power to act).

Every field is optional: what the charter does not state is never invented.  The district gives
the defaults (``privacy:``, ``substitute:`` in ``content/district.yaml``); a form or a scheda
overrides them field by field.  What general law says anyway (the legal basis of a public task,
the data subject's rights, the Garante, the remedies against a decision) comes from carta's
interface strings, which a charter may reword."""

from __future__ import annotations

from pydantic import model_validator

from carta.model.base import Email, Model, Phone, Slug
from carta.model.text import Text


class Notice(Model):
    """A privacy notice (informativa, art. 13 GDPR) or the part of it a form words its own way.

    In ``district.yaml`` it is the default of every form; in ``forms.yaml`` a form's ``notice:``
    replaces the keys it gives.  Keys left out everywhere: the legal basis, rights, complaint
    to the Garante and retention take carta's wording of the law; the controller, the DPO, the
    recipients and transfers outside the EU are shown as "to be completed"."""

    controller: Text | None = None  # titolare: the body, its address
    controller_email: list[Email] = []
    dpo: Text | None = None  # Responsabile della protezione dei dati (art. 37: a public body has one)
    dpo_email: list[Email] = []
    dpo_phone: list[Phone] = []
    designee: Text | None = None  # a person designated inside the body (art. 2-quaterdecies Codice)
    processor: Text | None = None  # responsabile del trattamento (art. 28: an outside body)
    purposes: list[Text] = []
    legal_basis: list[Text] = []  # none: art. 6(1)(e), and art. 9(2)(g)/(h) for health data
    categories: list[Text] = []
    health_data: bool | None = None  # none: the form asks for health data if a field is sensitive
    provision: Text | None = None  # whether giving the data is required, and what if not
    recipients: list[Text] = []
    outside_eu: bool | None = None  # whether data go outside the EU (none: not stated)
    outside_eu_text: Text | None = None  # where, and on which safeguard
    retention: Text | None = None
    law: Text | None = None  # further references the charter cites

    @model_validator(mode="after")
    def _transfer(self) -> Notice:
        if self.outside_eu_text is not None and not self.outside_eu:
            raise ValueError("outside_eu_text says where data go outside the EU: set "
                             "outside_eu: true too, or remove the text")
        return self


NOTICE_FIELDS = tuple(Notice.model_fields)


class Officer(Model):
    """Someone who answers for a procedure: a role (a person's name only where the charter gives
    one), the office of the charter they work in, how to reach them."""

    role: Text
    name: str | None = None
    office: Slug | None = None
    email: list[Email] = []
    phones: list[Phone] = []
