"""What every command shares: a unit of work and one-line errors with exit code 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from traceapp.config import Settings
from traceapp.db import unit_of_work
from traceapp.errors import DomainError


class CommandError(click.ClickException):
    """A refused command: one line on stderr, exit code 2, nothing written."""

    exit_code = 2


@contextmanager
def command_session() -> Iterator[Session]:
    """The command's single transaction; any failure rolls all of it back."""
    try:
        with unit_of_work(current_app.extensions["traceapp.sessions"]) as session:
            yield session
    except DomainError as exc:
        raise CommandError(exc.detail) from exc
    except IntegrityError as exc:
        raise CommandError(f"refused by the database: {exc.orig}") from exc
    except OperationalError as exc:
        raise CommandError(f"database error: {exc.orig} (has `traceapp db upgrade` run?)") from exc


def settings() -> Settings:
    return current_app.extensions["traceapp.settings"]


def actor() -> str:
    return "cli"


def write_json(document: Any, out: Path | None, written: str) -> None:
    """Pretty JSON to stdout, or to `out` with the note `written` on stderr."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(written, err=True)
