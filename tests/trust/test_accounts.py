"""Sign-in lockout under parallel guesses, sessions ended server-side, the
password policy, and officers' account management."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.db import make_sessionmaker
from traceapp.domain.accounts import (
    MAX_FAILED_SIGN_INS,
    check_password,
    create_user,
)
from traceapp.errors import InvalidInput
from traceapp.models import AuditEntry, User

TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False}
EMAIL = "khoa.thu@lienminh-caobang.vn"
PASSWORD = "dung-mat-khau-1"
GUESSES = 10


def make_user(session: Session, email: str = EMAIL, role: str = "inspector") -> User:
    user = create_user(session, email, "Lương Văn Khoa", PASSWORD, role, "test")
    session.commit()
    return user


def sign_in(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post("/console/sign-in", data={"email": email, "password": password})


# --- item 3: the lockout counted atomically -------------------------------------------


def test_parallel_wrong_passwords_lock_the_account_after_five(
    make_app, committed_engine, test_settings
):
    with Session(committed_engine) as session:
        user_id = make_user(session).id
    app = make_app(test_settings, TEST_CONFIG, make_sessionmaker(committed_engine))
    start = threading.Barrier(GUESSES)
    statuses: list[int] = []

    def guess(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(sign_in(client, password=f"sai-mat-khau-{n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    right = sign_in(app.test_client())
    with Session(committed_engine) as session:
        user = session.get(User, user_id)
        locks = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.locked")).all()
        assert statuses == [401] * GUESSES
        assert user.locked_until is not None
        assert user.failed_sign_ins == MAX_FAILED_SIGN_INS
        assert len(locks) == 1
    assert right.status_code == 401  # the right password too, until the lock ends


def test_only_five_parallel_guesses_are_checked(
    make_app, committed_engine, test_settings, monkeypatch
):
    from traceapp.domain import accounts

    with Session(committed_engine) as session:
        make_user(session)
    checked: list[str] = []
    real_hash = session_hash(committed_engine)
    original = accounts._verify

    def counting_verify(password_hash: str, password: str) -> bool:
        if password_hash == real_hash:
            checked.append(password)
        return original(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting_verify)
    app = make_app(test_settings, TEST_CONFIG, make_sessionmaker(committed_engine))
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> None:
        client = app.test_client()
        start.wait()
        sign_in(client, password=f"sai-mat-khau-{n}")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(checked) == MAX_FAILED_SIGN_INS


def session_hash(engine) -> str:
    with Session(engine) as session:
        return session.scalar(select(User.password_hash).where(User.email == EMAIL))


def test_lock_ends_after_fifteen_minutes(client, db_session):
    user = make_user(db_session)
    for _ in range(MAX_FAILED_SIGN_INS):
        sign_in(client, password="sai-mat-khau-1")
    assert sign_in(client).status_code == 401
    db_session.refresh(user)
    user.locked_until = user.locked_until - timedelta(minutes=16)
    db_session.commit()

    assert sign_in(client).status_code == 302


def test_locked_account_and_unknown_email_get_the_same_answer(client, db_session):
    make_user(db_session)
    for _ in range(MAX_FAILED_SIGN_INS):
        sign_in(client, password="sai-mat-khau-1")

    unknown_email = "khong.co@lienminh-caobang.vn"

    locked = sign_in(client)
    unknown = sign_in(client, email=unknown_email)

    assert locked.status_code == unknown.status_code == 401
    page = locked.get_data(as_text=True)
    assert page.replace(EMAIL, "?") == unknown.get_data(as_text=True).replace(unknown_email, "?")
    assert "Sai thư điện tử hoặc mật khẩu" in page  # SIGN_IN_REFUSED, in Vietnamese


# --- item 4: sessions ended server-side --------------------------------------------------
# Each "device" is a client of its own app, so that every request has its own
# application context (g, the current user), as it has in production.


@pytest.fixture
def device(make_app, test_settings, session_factory):
    def new_device():
        return make_app(test_settings, TEST_CONFIG, session_factory=session_factory).test_client()

    return new_device


def copied_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(new_device, cookie: str):
    other = new_device()
    other.set_cookie("session", cookie)
    return other.get("/console/")


def test_cookie_copied_before_sign_out_no_longer_opens_the_console(device, db_session):
    client = device()
    make_user(db_session)
    assert sign_in(client).status_code == 302
    cookie = copied_cookie(client)
    assert replay(device, cookie).status_code == 200

    client.post("/console/sign-out")

    assert replay(device, cookie).status_code == 302  # to the sign-in page


def test_password_change_ends_other_sessions_but_keeps_this_one(device, db_session):
    client = device()
    make_user(db_session)
    sign_in(client)
    other_device = device()
    sign_in(other_device)
    stolen = copied_cookie(other_device)

    response = client.post(
        "/console/password",
        data={
            "current_password": PASSWORD,
            "new_password": "mot-mat-khau-moi-rat-dai",
            "confirm": "mot-mat-khau-moi-rat-dai",
        },
    )

    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    assert replay(device, stolen).status_code == 302
    assert sign_in(device(), password="mot-mat-khau-moi-rat-dai").status_code == 302


def officer_client(device, db_session):
    create_user(
        db_session,
        "can.bo@lienminh-caobang.vn",
        "Hoàng Thị Mai",
        "can-bo-lien-minh-2026",
        "union_officer",
        "test",
    )
    db_session.commit()
    officer = device()
    assert (
        sign_in(officer, "can.bo@lienminh-caobang.vn", "can-bo-lien-minh-2026").status_code == 302
    )
    return officer


def test_deactivation_ends_the_accounts_sessions_and_sign_in(device, db_session):
    client = device()
    user = make_user(db_session)
    sign_in(client)
    cookie = copied_cookie(client)
    officer = officer_client(device, db_session)

    response = officer.post(f"/console/accounts/{user.id}/deactivate")

    assert response.status_code == 302
    assert replay(device, cookie).status_code == 302
    assert sign_in(device()).status_code == 401


def test_role_change_ends_the_sessions_begun_under_the_old_role(device, db_session):
    client = device()
    user = make_user(db_session, role="union_officer")
    sign_in(client)
    cookie = copied_cookie(client)
    officer = officer_client(device, db_session)

    response = officer.post(f"/console/accounts/{user.id}/role", data={"role": "inspector"})

    assert response.status_code == 302
    assert replay(device, cookie).status_code == 302
    db_session.refresh(user)
    assert user.role == "inspector"


def test_officer_resets_a_password_and_the_old_one_stops_working(device, db_session):
    client = device()
    user = make_user(db_session)
    sign_in(client)
    cookie = copied_cookie(client)
    officer = officer_client(device, db_session)

    response = officer.post(
        f"/console/accounts/{user.id}/password",
        data={"new_password": "mat-khau-cap-lai-moi", "confirm": "mat-khau-cap-lai-moi"},
    )

    assert response.status_code == 302
    assert replay(device, cookie).status_code == 302
    assert sign_in(device()).status_code == 401
    assert sign_in(device(), password="mat-khau-cap-lai-moi").status_code == 302


def test_only_officers_manage_accounts(device, db_session):
    client = device()
    user = make_user(db_session)
    sign_in(client)

    assert client.get("/console/accounts").status_code == 403
    assert client.post(f"/console/accounts/{user.id}/deactivate").status_code == 403


def test_session_ends_after_a_working_day_without_a_request(device, db_session, monkeypatch):
    client = device()
    make_user(db_session)
    sign_in(client)
    assert client.get("/console/").status_code == 200
    later = time.time() + 8 * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get("/console/").status_code == 302


def test_session_stays_open_while_it_is_used(device, db_session, monkeypatch):
    client = device()
    make_user(db_session)
    sign_in(client)
    start = time.time()
    for hours in (5, 10, 15):
        moment = start + hours * 3600
        monkeypatch.setattr(time, "time", lambda moment=moment: moment)
        assert client.get("/console/").status_code == 200


# --- item 12: the password policy --------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop", "khoa.thu-12"]
)
def test_common_repetitive_and_personal_passwords_are_refused(password):
    with pytest.raises(InvalidInput) as refused:
        check_password(password, EMAIL, "Lương Văn Khoa")
    assert refused.value.field == "password"


def test_a_long_passphrase_is_accepted():
    check_password("dua-hau-nui-cao-mua-xuan", EMAIL, "Lương Văn Khoa")


def test_weak_password_is_refused_on_change_with_a_clear_page(device, db_session):
    client = device()
    make_user(db_session)
    sign_in(client)

    response = client.post(
        "/console/password",
        data={"current_password": PASSWORD, "new_password": "password12", "confirm": "password12"},
    )

    assert response.status_code == 422
    assert "password" in response.get_data(as_text=True).lower()
    assert sign_in(device()).status_code == 302  # unchanged


# --- item 14: pseudonymous actors in the public log ------------------------------------------


def test_public_log_names_people_by_pseudonym_and_audit_verify_stays_clean(device, db_session):
    from traceapp.domain.audit_verification import verify_records

    user = make_user(db_session)
    client = device()
    sign_in(client)
    client.post("/console/sign-out")
    for _ in range(MAX_FAILED_SIGN_INS):
        sign_in(client, password="sai-mat-khau-1")

    published = device().get("/transparency/entries")

    text = published.get_data(as_text=True)
    actors = {entry["actor"] for entry in published.get_json()["entries"]}
    assert published.status_code == 200
    assert EMAIL not in text and "@" not in text
    assert f"user:{user.id}" in actors
    assert verify_records(db_session, None, labels=False).clean


def test_officers_see_who_each_pseudonym_is(device, db_session):
    user = make_user(db_session)
    officer = officer_client(device, db_session)

    page = officer.get("/console/accounts").get_data(as_text=True)

    assert f"user:{user.id}" in page and EMAIL in page


def test_account_pages_speak_vietnamese_from_the_catalogue(device, db_session):
    make_user(db_session)
    client = device()
    sign_in(client)

    page = client.get("/console/password", headers={"Accept-Language": "vi"})

    assert "Đổi mật khẩu" in page.get_data(as_text=True)
    assert "Mật khẩu hiện tại" in page.get_data(as_text=True)
