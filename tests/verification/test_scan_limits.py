"""Scans are limited per client address AND per code (docs/verification.md, "Rate
limits"); a crowd behind one carrier-grade-NAT address is not refused; with Redis
down, scans, /api/v1/verify and the key document keep working, and the log says so."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

JSON = {"Accept": "application/json"}
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def limited(make_app, test_settings, session_factory, db_session, unique_prefix):
    """An app with rate limits on, as in production (counters in memory unless given)."""
    apps = []

    def build(**changes):
        settings = replace(
            test_settings, rate_limits=True, rate_limit_key_prefix=unique_prefix, **changes
        )
        app = make_app(settings, session_factory=session_factory)
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        app.extensions["traceapp.scan_buffer"].close()


def scan(client, issued, index: int, address: str = "203.0.113.1"):
    return client.get(issued.path(index), headers=JSON, environ_base={"REMOTE_ADDR": address})


def test_one_address_over_its_limit_gets_429_with_retry_after(limited, issue, factory):
    issued = issue(4, factory=factory)
    client = limited(rate_limit_public="3/minute")
    statuses = [scan(client, issued, n).status_code for n in range(4)]
    other = scan(client, issued, 3, address="203.0.113.2")
    assert statuses == [200, 200, 200, 429] and other.status_code == 200
    refused = scan(client, issued, 0)
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_one_code_over_its_limit_gets_429_from_any_address(limited, issued):
    client = limited(rate_limit_public_per_code="2/minute")
    statuses = [scan(client, issued, 0, f"198.51.100.{n}").status_code for n in range(3)]
    other_code = scan(client, issued, 1, "198.51.100.9")
    assert statuses == [200, 200, 429] and other_code.status_code == 200


def test_a_supermarket_crowd_behind_one_address_is_not_refused(limited, issue, factory):
    # 150 shoppers behind one carrier-grade NAT address, each checking a different item
    # within the same minute: the default limits let every scan through.
    issued = issue(150, factory=factory)
    client = limited()
    statuses = {scan(client, issued, n, "100.64.0.1").status_code for n in range(150)}
    assert statuses == {200}


def test_the_api_counts_against_the_same_limits(limited, issued, test_settings):
    client = limited(rate_limit_public_per_code="1/minute")
    page = scan(client, issued, 0)
    by_api = client.get("/api/v1/verify", query_string={"code": issued.uris[0]})
    assert (page.status_code, by_api.status_code) == (200, 429)


def test_scan_limits_are_shared_through_redis(limited, issued, redis_url):
    # Two app instances stand for two workers: the second sees the first's scans.
    first = limited(rate_limit_public_per_code="2/minute", redis_url=redis_url)
    second = limited(rate_limit_public_per_code="2/minute", redis_url=redis_url)
    scan(first, issued, 0)
    scan(first, issued, 0, "203.0.113.7")
    assert scan(second, issued, 0, "203.0.113.8").status_code == 429


def test_with_redis_down_scans_and_keys_still_answer_and_the_log_says_so(limited, issued, caplog):
    client = limited(redis_url=DEAD_REDIS)
    with caplog.at_level(logging.WARNING):
        page = client.get(issued.path(0))
        document = scan(client, issued, 1)
        by_api = client.get("/api/v1/verify", query_string={"code": issued.uris[2]})
        keys = client.get("/.well-known/traceapp-keys.json")
    assert [r.status_code for r in (page, document, by_api, keys)] == [200] * 4
    assert document.get_json()["verdict"] == "genuine"
    assert "rate-limit store unreachable" in caplog.text


def test_with_redis_down_each_process_still_limits(limited, issued):
    client = limited(redis_url=DEAD_REDIS, rate_limit_public_per_code="2/minute")
    statuses = [scan(client, issued, 0, f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
