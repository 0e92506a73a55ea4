"""WSGI entry point for production servers: ``gunicorn form_backend.wsgi:app``.

Configuration comes from ``CARTA_*`` environment variables and the key file, exactly as for
``carta serve`` (see form_backend/config.py).  Without an encryption key the process refuses
to start, with the reason, instead of failing on the first citizen who sends health data.
"""

import sys

from form_backend import create_app
from form_backend.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"carta: cannot start: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(1) from None
