"""The verification page's HTML, headers and request reading, shared by the Flask
view and the direct path (direct.py).

A page is rendered once per language, day, verdict and the label's fresh facts
but its serial, kept as a shell (page_shell.py), and filled with each view's
serial, scan count and links.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import date
from functools import lru_cache
from operator import attrgetter

from flask import render_template
from markupsafe import Markup
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from traceapp.domain.verification import LabelFacts, VerificationOutcome
from traceapp.models import Batch
from traceapp.web.public import languages
from traceapp.web.public.batch_cache import BatchCache
from traceapp.web.public.page_shell import Filled, Holes, PageShell
from traceapp.web.public.wording import (
    EVENT_NAMES,
    FLAG_TEXTS,
    SCHEME_NAMES,
    reason_text,
    scan_count_text,
    verdict_title,
)
from traceapp.web.request_session import db

PAGE_HOLES = frozenset({"href_vi", "href_en", "href_fr", "page_url", "serial", "scan_count"})
# A genuine page must turn "recalled" at once: every view asks the server again.
CACHE_HEADERS = (
    ("Cache-Control", "no-cache, private, max-age=0, must-revalidate"),
    ("Vary", "Accept, Accept-Language, Cookie"),
)
# Where a CDN or reverse proxy may say which region a client is in.
REGION_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_X_REGION")
# Request headers that may turn a response into a 304, 412 or 206.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)


def page_html(
    outcome: VerificationOutcome,
    language: str,
    today: date,
    located: bool,
    code_url: str,
    cache: BatchCache,
) -> str:
    """The page, from its cached shell or rendered now (needs a Flask request context)."""
    values = _hole_values(outcome, language, code_url)
    try:
        shell = cache.pages.get(
            _shell_key(outcome, language, today, located),
            lambda: PageShell(
                _render(outcome, language, today, located, cache, Holes()), PAGE_HOLES
            ),
        )
    except ValueError:
        return _render(outcome, language, today, located, cache, Filled(values))
    return shell.fill(values)


def cached_page_html(
    outcome: VerificationOutcome, language: str, today: date, code_url: str, cache: BatchCache
) -> str | None:
    """The page of a scan without location from its cached shell, or None if there is none yet
    (needs no Flask context)."""
    shell = cache.pages.peek(_shell_key(outcome, language, today, located=False))
    if shell is None:
        return None
    return shell.fill(_hole_values(outcome, language, code_url))


def region_header(environ: dict) -> str | None:
    """Which region a CDN or reverse proxy says the client is in, if it says."""
    return next((environ[name] for name in REGION_HEADERS if environ.get(name)), None)


@lru_cache(maxsize=256)
def prefers_json(accept: str | None) -> bool:
    """True if an Accept header prefers JSON to HTML (clients send a handful of
    distinct ones: each is parsed once)."""
    best = parse_accept_header(accept, MIMEAccept).best_match(["text/html", "application/json"])
    return best == "application/json"


def etag(body: bytes) -> str:
    return f'"{hashlib.sha1(body).hexdigest()}"'


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
    *(f.name for f in fields(LabelFacts) if f.name not in ("certifications", "history"))
)


def _render(
    outcome: VerificationOutcome,
    language: str,
    today: date,
    located: bool,
    cache: BatchCache,
    holes: Holes | Filled,
) -> str:
    facts = outcome.facts
    sections = None
    if facts is not None:
        sections = Markup(
            cache.sections.get(
                (facts.batch_id, today, language, facts.recalled_at), lambda: _batch_sections(facts)
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
        title=verdict_title(outcome.verdict),
        message=reason_text(outcome.reason),
        flag_texts=FLAG_TEXTS,
        language_links=language_links,
        holes=holes,
        current_language=language,
        located=located,
    )


def _batch_sections(facts: LabelFacts) -> str:
    """Certifications, lab results, history and value chain: the same for every
    label of the batch, so rendered once per batch, day and language."""
    return render_template(
        "public/_batch_sections.html",
        facts=facts,
        batch=db().get(Batch, facts.batch_id),
        event_names=EVENT_NAMES,
        scheme_names=SCHEME_NAMES,
    )
