"""Showing a domain refusal next to the form field it is about."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_wtf import FlaskForm

from traceapp.errors import DomainError
from traceapp.web.request_session import db


@contextmanager
def refused(form: FlaskForm) -> Iterator[None]:
    """Run a domain call; a refusal (422/409) becomes an error on its field (or the form).

    NotFound and Forbidden propagate: they are pages, not field errors.
    """
    try:
        yield
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        db().rollback()
        field = form._fields.get(exc.field or "")
        if field is not None:
            field.errors = [*field.errors, exc.detail]
        else:
            form.form_errors.append(exc.detail)


def form_status(form: FlaskForm) -> int:
    """422 for a submitted form with errors, so tests and scripts see the refusal."""
    return 422 if form.is_submitted() and (form.errors or form.form_errors) else 200
