"""WSGI entry point for production servers: ``gunicorn form_backend.wsgi:app``.

Configuration comes from ``CARTA_*`` environment variables (see form_backend/config.py).
"""

from form_backend import create_app

app = create_app()
