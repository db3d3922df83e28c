"""The direct path (traceapp/web/public/direct.py): a plain scan answered without
Flask, as a server runs it, and answered exactly as Flask would answer it."""

from __future__ import annotations

import dataclasses
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, request, request_started

from tests.verification import test_speed_paths
from tests.verification.test_hostile_input import SCRIPT, hostile_paths
from traceapp import create_app
from traceapp.web.public import flush_scans

EN = {"Accept-Language": "en"}
# The per-view parts of a page: its serial's scan count and the time of the first scan.
SCAN_COUNT = re.compile(r"Scanned \d+ times? since [^<]*")
# What may differ between two answers to the same request a moment apart.
PER_RESPONSE_HEADERS = {
    "ETag",
    "Content-Length",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
}

committed_labels = test_speed_paths.committed_labels
server_app = test_speed_paths.server_app


@pytest.fixture
def flask_only_app(test_settings, committed_labels) -> Iterator[Flask]:
    """The same server app with the direct path turned off: Flask answers everything."""
    app = create_app(
        dataclasses.replace(test_settings, scan_buffer=True, verification_direct_path=False)
    )
    yield app
    flush_scans(app)


@contextmanager
def flask_requests(app: Flask) -> Iterator[list[str]]:
    """The paths Flask itself dispatched while the block ran."""
    seen: list[str] = []

    def record(_sender, **_extra) -> None:
        seen.append(request.path)

    request_started.connect(record, app)
    try:
        yield seen
    finally:
        request_started.disconnect(record, app)


def comparable(response) -> tuple[int, dict[str, str], str]:
    headers = {k: v for k, v in response.headers.items() if k not in PER_RESPONSE_HEADERS}
    return response.status_code, headers, SCAN_COUNT.sub("", response.get_data(as_text=True))


def test_a_plain_scan_does_not_reach_flask(server_app, committed_labels):
    client = server_app.test_client()
    with flask_requests(server_app) as dispatched:
        first = client.get(committed_labels.paths[0], headers=EN)
        again = client.get(committed_labels.paths[0], headers=EN)
    assert dispatched == []
    assert first.status_code == again.status_code == 200
    assert "Scanned 2 times since" in again.get_data(as_text=True)


def test_the_direct_answer_is_flasks_answer(server_app, flask_only_app, committed_labels):
    path = committed_labels.paths[1]
    flask_answer = flask_only_app.test_client().get(path, headers=EN)
    direct_answer = server_app.test_client().get(path, headers=EN)
    assert comparable(direct_answer) == comparable(flask_answer)
    assert "verdict-genuine" in direct_answer.get_data(as_text=True)


def test_a_forged_signature_gets_the_same_verdict_page_directly(
    server_app, flask_only_app, committed_labels
):
    path = committed_labels.paths[0]
    forged = path[:-1] + ("A" if path[-1] != "A" else "B")
    with flask_requests(server_app) as dispatched:
        direct_answer = server_app.test_client().get(forged, headers=EN)
    flask_answer = flask_only_app.test_client().get(forged, headers=EN)
    assert dispatched == []
    assert comparable(direct_answer) == comparable(flask_answer)
    assert "verdict-not_genuine" in direct_answer.get_data(as_text=True)


def test_the_language_cookie_is_honoured_directly(server_app, committed_labels):
    client = server_app.test_client()
    client.set_cookie("lang", "fr")
    with flask_requests(server_app) as dispatched:
        page = client.get(committed_labels.paths[0], headers=EN).get_data(as_text=True)
    assert dispatched == [] and '<html lang="fr">' in page


@pytest.mark.parametrize(
    "extra, headers",
    [
        ("&lang=fr", {}),
        ("&lat=22.66&lon=106.25", {}),
        ("", {"Accept": "application/json"}),
        ("", {"If-None-Match": '"0"'}),
        ("&x=<script>", {}),
    ],
)
def test_anything_but_a_plain_scan_goes_to_flask(server_app, committed_labels, extra, headers):
    path = committed_labels.paths[0] + extra
    with flask_requests(server_app) as dispatched:
        response = server_app.test_client().get(path, headers=headers)
    assert dispatched == [path.split("?")[0]] and response.status_code in (200, 304)


def test_a_session_cookie_goes_to_flask(server_app, committed_labels):
    client = server_app.test_client()
    client.set_cookie("session", "anything")
    with flask_requests(server_app) as dispatched:
        client.get(committed_labels.paths[0])
    assert len(dispatched) == 1


def test_head_goes_to_flask(server_app, committed_labels):
    with flask_requests(server_app) as dispatched:
        response = server_app.test_client().head(committed_labels.paths[0])
    assert len(dispatched) == 1 and response.status_code == 200


def test_direct_and_flask_answers_share_the_rate_limit(test_settings, committed_labels):
    app = create_app(
        dataclasses.replace(
            test_settings, scan_buffer=True, rate_limits=True, rate_limit_public="3/minute"
        )
    )
    client = app.test_client()
    plain = committed_labels.paths[0]
    direct = client.get(plain)
    through_flask = client.get(plain + "&lang=en")
    assert direct.headers["X-RateLimit-Remaining"] == "2"
    assert through_flask.headers["X-RateLimit-Remaining"] == "1"
    assert {k for k, _ in direct.headers.items() if k.startswith("X-RateLimit")} == {
        k for k, _ in through_flask.headers.items() if k.startswith("X-RateLimit")
    }
    client.get(plain)
    refused = client.get(plain)
    flush_scans(app)
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_a_database_failure_is_a_500_page_not_a_traceback(test_settings, committed_labels):
    unreachable = test_settings.database_url.replace("127.0.0.1:5432", "127.0.0.1:9")
    if unreachable == test_settings.database_url:  # SQLite: a directory is no database file
        unreachable = f"sqlite:///{test_settings.instance_dir}"
    app = create_app(dataclasses.replace(test_settings, database_url=unreachable, scan_buffer=True))
    response = app.test_client().get(committed_labels.paths[0], headers=EN)
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]


def test_hostile_input_on_a_server_never_errors_or_reflects_markup(server_app, committed_labels):
    path = committed_labels.paths[0]
    gtin, lot, serial, signature = re.fullmatch(
        r"/01/(\w+)/10/([^/]+)/21/(\w+)\?8030=(.+)", path
    ).groups()
    client = server_app.test_client()
    for hostile in hostile_paths(path, gtin, lot, serial, signature):
        for accept in ("text/html", "application/json"):
            response = client.get(hostile, headers={"Accept": accept, "CF-IPCountry": SCRIPT})
            assert response.status_code < 500, hostile
            assert SCRIPT not in response.get_data(as_text=True), hostile


@pytest.mark.parametrize("extra", ["", "&lang=en"])
def test_a_served_page_has_one_date_header(server_app, committed_labels, serve, extra):
    base = serve(server_app)
    with urllib.request.urlopen(base + committed_labels.paths[0] + extra) as response:
        assert len(response.headers.get_all("Date")) == 1


def test_behind_a_proxy_each_client_has_its_own_limit(test_settings, committed_labels):
    app = create_app(
        dataclasses.replace(
            test_settings,
            proxy_hops=1,
            scan_buffer=True,
            rate_limits=True,
            rate_limit_public="5/minute",
        )
    )
    client = app.test_client()
    remaining = [
        client.get(committed_labels.paths[0], headers={"X-Forwarded-For": address}).headers[
            "X-RateLimit-Remaining"
        ]
        for address in ("203.0.113.7", "203.0.113.7", "198.51.100.4")
    ]
    flush_scans(app)
    assert remaining == ["4", "3", "4"]
