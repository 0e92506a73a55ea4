"""carta: a Carta dei Servizi kept as YAML, rendered to a site, print sheets and forms."""

__version__ = "0.1.0"
