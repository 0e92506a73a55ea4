"""The charter as typed, frozen data (pydantic): what every renderer and the backend read.

``charter.Charter`` is the whole charter; ``service`` a scheda; ``organisation`` the district,
its comuni, offices and providers; ``quality`` indicators, standards and results; ``rules``
tariffs, access bands, complaints and form fields; ``hours`` schedules; ``text`` multilingual
text; ``crossref`` the cross-references written in text; ``calendar`` working days. Nothing
here reads files or formats a fact for people: :mod:`carta.load` builds these objects and
:mod:`carta.present` turns them into what people read.
"""
