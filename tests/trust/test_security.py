"""Security headers on every response, per-client rate limits (in memory and in
Redis), and the sign-in lockout."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from traceapp.domain.accounts import create_user
from traceapp.models import AuditEntry, User
from traceapp.web.security import CONTENT_SECURITY_POLICY

TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False}
PUBLIC_URL = "/transparency/checkpoints.json"


@pytest.fixture
def limited_client(make_app, test_settings, session_factory, unique_prefix):
    """A client of an app with rate limits on (tight ones, so tests stay quick)."""

    def build(settings=None, **limits):
        settings = dataclasses.replace(
            settings or test_settings,
            rate_limits=True,
            rate_limit_key_prefix=unique_prefix,
            **limits,
        )
        app = make_app(settings, TEST_CONFIG, session_factory=session_factory)
        return app.test_client()

    return build


@pytest.mark.parametrize("path", ["/", "/no-such-page", PUBLIC_URL, "/api/v1/batches"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers

    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/console/sign-in", "/console/tokens", "/console/no-such"])
def test_console_pages_are_never_stored_by_browsers_or_proxies(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_new_token_page_is_never_stored(client, db_session):
    create_user(
        db_session,
        "khoa.thu@lienminh-caobang.vn",
        "Lương Văn Khoa",
        "dung-mat-khau-1",
        "inspector",
        "test",
    )
    db_session.commit()
    client.post(
        "/console/sign-in",
        data={"email": "khoa.thu@lienminh-caobang.vn", "password": "dung-mat-khau-1"},
    )

    response = client.post("/console/tokens", data={"name": "máy quét"})

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"


def test_content_security_policy_allows_no_inline_script_or_style(client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_hsts_is_sent_in_production_only(make_app, client, test_settings, session_factory):
    production = dataclasses.replace(test_settings, env="production")
    prod_client = make_app(production, TEST_CONFIG, session_factory=session_factory).test_client()

    assert "Strict-Transport-Security" not in client.get("/").headers
    assert prod_client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_rate_limits_are_off_in_the_test_config(client):
    statuses = {client.get(PUBLIC_URL).status_code for _ in range(150)}

    assert statuses == {200}


def test_public_endpoint_over_its_limit_gets_429_problem_with_retry_after(limited_client):
    client = limited_client(rate_limit_public="5/minute")

    statuses = [client.get(PUBLIC_URL).status_code for _ in range(5)]
    refused = client.get(PUBLIC_URL, headers={"Accept": "application/json"})

    assert statuses == [200] * 5
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_public_limit_is_per_client_ip(limited_client):
    client = limited_client(rate_limit_public="3/minute")
    for _ in range(3):
        client.get(PUBLIC_URL, environ_base={"REMOTE_ADDR": "203.0.113.1"})

    first = client.get(PUBLIC_URL, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    second = client.get(PUBLIC_URL, environ_base={"REMOTE_ADDR": "203.0.113.2"})

    assert (first.status_code, second.status_code) == (429, 200)


def test_sign_in_posts_are_limited_to_10_a_minute(limited_client):
    client = limited_client()
    form = {"email": "ai.do@example.vn", "password": "sai-mat-khau-123"}

    statuses = [client.post("/console/sign-in", data=form).status_code for _ in range(11)]

    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_bogus_api_tokens_are_limited_per_client_before_any_look_up(limited_client):
    client = limited_client(rate_limit_api_auth_failures="5/minute")

    def attempt(n: int, address: str = "203.0.113.7"):
        return client.get(
            "/api/v1/batches",
            headers={"Authorization": f"Bearer tat_bogus{n}"},
            environ_base={"REMOTE_ADDR": address},
        )

    statuses = [attempt(n).status_code for n in range(7)]
    refused = attempt(99)
    elsewhere = attempt(100, address="203.0.113.8")

    assert statuses == [401] * 5 + [429] * 2
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.mimetype == "application/problem+json"
    assert elsewhere.status_code == 401


def test_sign_in_page_views_are_not_counted_as_attempts(limited_client):
    client = limited_client(rate_limit_sign_in="2/minute")

    statuses = {client.get("/console/sign-in").status_code for _ in range(5)}

    assert statuses == {200}


def test_api_limit_is_per_token(limited_client):
    client = limited_client(rate_limit_api="3/minute")
    first = {"Authorization": "Bearer tat_first"}
    for _ in range(3):
        client.get("/api/v1/batches", headers=first)

    over = client.get("/api/v1/batches", headers=first)
    other = client.get("/api/v1/batches", headers={"Authorization": "Bearer tat_second"})

    assert over.status_code == 429 and over.mimetype == "application/problem+json"
    assert other.status_code == 401


def test_limits_are_shared_through_redis(limited_client, redis_url):
    # Two app instances stand for two workers: the second sees the first's requests.
    first = limited_client(rate_limit_public="4/minute", redis_url=redis_url)
    second = limited_client(rate_limit_public="4/minute", redis_url=redis_url)
    for _ in range(4):
        first.get(PUBLIC_URL)

    refused = second.get(PUBLIC_URL, headers={"Accept": "application/json"})

    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_redis_url_setting_selects_redis_storage(
    make_app, test_settings, session_factory, redis_url
):
    settings = dataclasses.replace(test_settings, redis_url=redis_url, rate_limits=True)
    app = make_app(settings, TEST_CONFIG, session_factory=session_factory)

    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert app.test_client().get(PUBLIC_URL).status_code == 200


def test_five_failed_sign_ins_lock_the_account(client, db_session):
    create_user(
        db_session,
        "khoa.thu@lienminh-caobang.vn",
        "Lương Văn Khoa",
        "dung-mat-khau-1",
        "inspector",
        "test",
    )
    db_session.commit()
    wrong = {"email": "khoa.thu@lienminh-caobang.vn", "password": "sai-mat-khau-1"}
    for _ in range(5):
        client.post("/console/sign-in", data=wrong)

    right = client.post("/console/sign-in", data={**wrong, "password": "dung-mat-khau-1"})

    assert right.status_code == 401
    assert "15" in right.get_data(as_text=True)


def sign_in_entries(db_session) -> list[tuple[str, str]]:
    return [
        (e.actor, e.action)
        for e in db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(("user.signed_in", "user.locked")))
            .order_by(AuditEntry.id)
        )
    ]


def test_sign_ins_and_lockouts_are_in_the_audit_log_but_single_failures_are_not(client, db_session):
    email = "khoa.thu@lienminh-caobang.vn"
    create_user(db_session, email, "Lương Văn Khoa", "dung-mat-khau-1", "inspector", "test")
    db_session.commit()
    client.post("/console/sign-in", data={"email": email, "password": "sai-mat-khau-1"})
    assert sign_in_entries(db_session) == []
    client.post("/console/sign-in", data={"email": email, "password": "dung-mat-khau-1"})
    client.post("/console/sign-out")
    for _ in range(5):
        client.post("/console/sign-in", data={"email": email, "password": "sai-mat-khau-1"})
    user_id = db_session.scalar(select(User.id).where(User.email == email))
    assert sign_in_entries(db_session) == [
        (f"user:{user_id}", "user.signed_in"),
        ("anonymous", "user.locked"),
    ]


def test_sign_in_is_still_limited_and_locked_when_redis_is_unreachable(limited_client, caplog):
    # Counters fall back to each worker's memory (logged); the database lockout holds.
    client = limited_client(redis_url="redis://127.0.0.1:1/0", rate_limit_sign_in="3/minute")
    form = {"email": "khoa.thu@lienminh-caobang.vn", "password": "dung-mat-khau-1"}

    page = client.get("/console/sign-in")
    answers = [client.post("/console/sign-in", data=form).status_code for _ in range(4)]

    assert page.status_code == 200
    assert answers == [401, 401, 401, 429]
    assert "storage unreachable" in caplog.text
