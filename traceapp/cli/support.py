"""What every command shares: a unit of work and one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from traceapp.config import Settings
from traceapp.db import unit_of_work
from traceapp.errors import DomainError

T = TypeVar("T")


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


class Progress:
    """A click progress bar on stderr that appears only when work really starts.

    Call it with the number of items done so far (``progress(n)``). The bar is
    drawn on the first call, so a command refused by its checks prints its
    error alone; click shows no bar when stderr is not a terminal.
    """

    def __init__(self, length: int | None, label: str) -> None:
        self.length, self.label = length, label
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        if self._bar is None:
            if total is not None:
                self.length = total
            self._bar = click.progressbar(length=self.length, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def step(self, count: int = 1) -> None:
        """Count ``count`` more items done."""
        self(self._done + count)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def counted(items: Iterable[T], progress: Progress, every: int = 100) -> Iterator[T]:
    """``items`` passed through, reporting to ``progress`` every ``every`` items."""
    index = 0
    for index, item in enumerate(items, 1):
        yield item
        if index % every == 0:
            progress(index)
    progress(index)


def output_file(path: Path) -> Path:
    """Check before any work that ``path`` can be written: its folder exists and is writable.

    Raises CommandError (exit 2) with one line otherwise.
    """
    path = Path(path)
    if path.is_dir():
        raise CommandError(f"{path} is a folder; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CommandError(f"cannot write {path}: permission denied")
    return path


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from exc


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
