"""Domain exceptions. The web layer turns them into problem details or pages,
the CLI into a one-line message and exit code 2."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

Word = TypeVar("Word", bound=StrEnum)


class DomainError(Exception):
    """A request the domain refuses; `status` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


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
        return vocabulary(value)
    except ValueError:
        allowed = ", ".join(vocabulary)
        raise InvalidInput(f"{field} must be one of: {allowed}", field=field) from None
