"""The multilingual static site (MkDocs + Material + mkdocs-static-i18n).

``pages`` lists every generated page of the docs folder (pure); ``scheda`` and ``general``
write the scheda pages and the general pages from the presentation layer; ``page`` is one
page's language and helpers; ``jsonld`` the schema.org metadata; ``hooks`` the MkDocs hooks;
``build`` the MkDocs configuration and build; ``languages`` the languages built side by side
and incrementally; ``preview`` the editors' live preview; ``theme/`` the Material overrides.
"""
