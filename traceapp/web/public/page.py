"""The verification page's HTML, rendered from the VerificationOutcome alone.

A page is rendered once per language, day, verdict and the label's fresh facts
but its serial, kept as a shell (page_shell.py), and filled with each view's
serial, scan count and links. Rendering runs Jinja and Flask-Babel in a Flask
request context of its own, so it works whether or not the caller is in one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from operator import attrgetter
from typing import Any

from flask import Flask, g, render_template
from flask_babel import refresh
from markupsafe import Markup

from traceapp.domain.verification import LabelFacts, VerificationOutcome
from traceapp.infrastructure.caches import ExpiringCache
from traceapp.web.public import languages
from traceapp.web.public.page_shell import Filled, Holes, PageShell
from traceapp.web.public.wording import (
    EVENT_NAMES,
    FLAG_TEXTS,
    SCHEME_NAMES,
    reason_text,
    scan_count_text,
    verdict_title,
)

PAGE_HOLES = frozenset({"href_vi", "href_en", "href_fr", "page_url", "serial", "scan_count"})

WSGIEnviron = dict[str, Any]


class PageRenderer:
    """Renders verification pages (and the scan answer's error pages) for one app,
    keeping page shells and the batch sections `seconds`."""

    def __init__(self, app: Flask, seconds: float) -> None:
        self._app = app
        self._shells: ExpiringCache[PageShell] = ExpiringCache(seconds)
        # Certifications, lab results, history and value chain: the same for every
        # label of the batch, rendered once per batch, day and language.
        self._sections: ExpiringCache[str] = ExpiringCache(seconds)

    def page(
        self,
        outcome: VerificationOutcome,
        language: str,
        today: date,
        located: bool,
        code_url: str,
        environ: WSGIEnviron,
    ) -> str:
        """The page, from its cached shell or rendered now."""
        values = _hole_values(outcome, language, code_url)
        key = _shell_key(outcome, language, today, located)
        shell = self._shells.peek(key)
        if shell is None:
            try:
                shell = self._shells.get(
                    key,
                    lambda: PageShell(
                        self._render(outcome, language, today, located, Holes(), environ),
                        PAGE_HOLES,
                    ),
                )
            except ValueError:  # a NUL in the data: render this page whole
                return self._render(outcome, language, today, located, Filled(values), environ)
        return shell.fill(values)

    def error(
        self, status: int, title: str, detail: str, language: str, environ: WSGIEnviron
    ) -> str:
        """The HTML error page, as every other error of the app looks."""
        with self._context(language, environ):
            return render_template("error.html", status=status, title=title, detail=detail)

    def clear(self) -> None:
        self._shells.clear()
        self._sections.clear()

    @contextmanager
    def _context(self, language: str, environ: WSGIEnviron) -> Iterator[None]:
        with self._app.request_context(environ):
            g.lang = language  # as the before_request hook would have chosen it
            refresh()
            yield

    def _render(
        self,
        outcome: VerificationOutcome,
        language: str,
        today: date,
        located: bool,
        holes: Holes | Filled,
        environ: WSGIEnviron,
    ) -> str:
        facts = outcome.facts
        with self._context(language, environ):
            sections = None
            if facts is not None:
                sections = Markup(
                    self._sections.get(
                        (facts.batch_id, today, language, facts.recalled_at),
                        lambda: _batch_sections(facts),
                    )
                )
            language_links = [
                (code, name, getattr(holes, f"href_{code}"))
                for code, name in languages.LANGUAGE_NAMES.items()
            ]
            return render_template(
                "public/verify.html",
                outcome=outcome,
                facts=facts,
                batch_sections=sections,
                title=verdict_title(outcome.verdict, language),
                message=reason_text(outcome.reason, language),
                flag_texts=FLAG_TEXTS,
                language_links=language_links,
                holes=holes,
                current_language=language,
                located=located,
            )


def _hole_values(outcome: VerificationOutcome, language: str, code_url: str) -> dict[str, str]:
    joiner = "&" if "?" in code_url else "?"
    values = {f"href_{code}": f"{code_url}{joiner}lang={code}" for code in languages.LANGUAGE_NAMES}
    values["page_url"] = code_url
    values["serial"] = outcome.code.serial if outcome.code is not None else ""
    scans = outcome.scans
    values["scan_count"] = (
        scan_count_text(scans.scans, scans.first_scanned_at, language)
        if scans is not None and scans.first_scanned_at is not None
        else ""
    )
    return values


def _shell_key(outcome: VerificationOutcome, language: str, today: date, located: bool) -> tuple:
    scans = outcome.scans
    return (
        language,
        today,
        outcome.verdict,
        outcome.reason,
        located,
        scans.flags if scans is not None else None,
        _fresh_facts(outcome.facts) if outcome.facts is not None else None,
    )


# Everything fresh about the label that the page shows, but its serial.
_fresh_facts = attrgetter(
    *(f.name for f in fields(LabelFacts) if f.name not in ("certifications", "history", "timeline"))
)


def _batch_sections(facts: LabelFacts) -> str:
    return render_template(
        "public/_batch_sections.html",
        facts=facts,
        chain=facts.timeline,
        event_names=EVENT_NAMES,
        scheme_names=SCHEME_NAMES,
    )
