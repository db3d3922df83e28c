"""Domain exceptions. The web layer turns them into problem details or pages,
the CLI into a one-line message and exit code 2.

A message is an English template with named values, e.g.
``NotFound("no label %(serial)s", serial=serial)``: ``detail`` is the English text
(the API's problem details, the CLI), while the console shows the template translated
through the catalogues (traceapp/web/errors.py ``domain_message``) with the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

Word = TypeVar("Word", bound=StrEnum)


def N_(text: str) -> str:
    """Marks a message for the catalogues (pybabel extract) where it is defined; the
    web layer translates it where it is shown."""
    return text


class DomainError(Exception):
    """A request the domain refuses; `status` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, **values: object) -> None:
        # A list of words (e.g. missing fields) reads "gtin, product_image" in English.
        text = detail % {k: _words(v) for k, v in values.items()} if values else detail
        super().__init__(text)
        self.detail = text
        self.message = detail
        self.values = values
        self.field = field

    @classmethod
    def restored(cls, message: str, values: dict[str, Any]) -> DomainError:
        """A refusal kept earlier as its template and values (a failed print job's):
        the template is one of the literal ones, already in the catalogues."""
        return cls(message, **values)


def _words(value: object) -> object:
    return ", ".join(map(str, value)) if isinstance(value, tuple | list) else value


@dataclass(frozen=True)
class Term:
    """A stored word that is not an enum member (a value-chain step): ``detail`` shows
    the value, the console its wording from traceapp/web/vocabulary.py
    ``VOCABULARIES[kind]``."""

    kind: str
    value: str

    def __str__(self) -> str:
        return self.value


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unavailable(DomainError):
    """A dependency the answer needs cannot be reached: try again later."""

    status = 503
    title = "Service unavailable"


def one_of(vocabulary: type[Word], value: object, field: str) -> Word:
    """`value` as a member of `vocabulary`, or InvalidInput naming the allowed words."""
    try:
        return vocabulary(str(value))
    except ValueError:
        # The console shows the field's name and each allowed word in the reader's language.
        raise InvalidInput(
            "%(name)s must be one of: %(allowed)s",
            field=field,
            name=Term("field_name", field),
            allowed=tuple(vocabulary),
        ) from None


class ServiceUnavailable(DomainError):
    """A service the request needs cannot be reached; trying again later may work."""

    status = 503
    title = "Service Unavailable"
