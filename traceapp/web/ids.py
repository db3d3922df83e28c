"""Record ids in URLs: a number the database can't hold is a 404, not an overflow."""

from __future__ import annotations

from flask import Flask

from traceapp.errors import NotFound, Term
from traceapp.models._columns import MAX_ID

__all__ = ["MAX_ID", "init_app"]


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def _ids_in_range(_endpoint: str | None, values: dict | None) -> None:
        for name, value in (values or {}).items():
            if isinstance(value, int) and not 1 <= value <= MAX_ID:
                raise NotFound(
                    "there is no %(record)s %(id)s",
                    record=Term("record_name", name.removesuffix("_id")),
                    id=str(value),
                )
