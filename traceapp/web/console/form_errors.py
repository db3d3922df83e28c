"""Showing a domain refusal next to the form field it is about."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import request

from traceapp.errors import DomainError, InvalidInput
from traceapp.forms import Form
from traceapp.web.errors import domain_message
from traceapp.web.request_session import db


@contextmanager
def refused(form: Form) -> Iterator[None]:
    """Run a domain call; a refusal (422/409, or a 404 about one of the form's fields,
    such as a mistyped serial) becomes an error beside its field (or above the form),
    in the reader's language, and the form keeps what was typed.

    Other NotFound and Forbidden propagate: they are pages, not field errors.
    """
    try:
        yield
    except DomainError as exc:
        field = form._fields.get(exc.field or "")
        if exc.status not in (409, 422) and not (exc.status == 404 and field is not None):
            raise
        db().rollback()
        message = domain_message(exc)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def form_refusal(form: Form) -> InvalidInput:
    """A form's first invalid field as a refusal: its label and WTForms' reasons, both
    already in the reader's language."""
    name, errors = next(iter(form.errors.items()))
    return InvalidInput(
        "%(label)s: %(reasons)s",
        field=name,
        label=str(form[name].label.text),
        reasons=tuple(str(e) for e in errors),
    )


def form_status(form: Form) -> int:
    """422 for a submitted form with errors, so tests and scripts see the refusal."""
    return 422 if form.is_submitted() and (form.errors or form.form_errors) else 200


def confirmed(form: Form) -> bool:
    """True when the form was sent from its confirmation page (console/confirm.html)."""
    return request.form.get("confirmed") == "yes"
