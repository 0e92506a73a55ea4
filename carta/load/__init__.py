"""YAML folder → validated :class:`carta.model.charter.Charter`, or every problem at once.

``source`` reads YAML remembering where each value was written; ``charter`` assembles and
validates the model; ``messages`` turns validation errors into ``file:line:col`` messages;
``references`` checks what spans files (references, unique codes); ``translations`` reports
how much text exists in each language. This is the only place that parses the charter.
"""
