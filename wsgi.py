"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from traceapp import create_app

app = create_app()
