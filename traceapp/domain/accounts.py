"""People and API tokens: passwords hashed with Argon2id and checked against
zxcvbn's estimate of how guessable they are, tokens stored as SHA-256, sign-in
locked for a while after repeated failures (counted atomically in the database),
and console sessions ended server-side by raising the account's session generation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from traceapp.domain import audit_log
from traceapp.errors import N_, Conflict, InvalidInput, NotFound, one_of
from traceapp.models import ApiToken, Role, User
from traceapp.models._columns import utcnow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# zxcvbn's score runs 0-4; 3 is "safely unguessable" against an online attack and
# more (about 10^8 guesses), and refuses common passwords, repeats and keyboard walks.
MIN_PASSWORD_SCORE = 3
# zxcvbn's running time grows with length; past this its estimate no longer changes.
PASSWORD_CHECKED_LENGTH = 100
TOKEN_PREFIX = "tat_"

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so timing doesn't reveal accounts;
    made on first use, not at import (every CLI command imports this module)."""
    return _hasher.hash("not-a-real-password")


# One wording for every refusal: whether an e-mail has an account, is deactivated or
# is locked must not show (the lockout itself would otherwise reveal the account).
SIGN_IN_REFUSED = N_(
    "wrong e-mail or password, or too many failed sign-ins "
    "(the account is then locked for 15 minutes)"
)


class SignInRefused(Exception):
    """Wrong e-mail or password, or the account is locked; the message is safe to show."""

    def __init__(self) -> None:
        super().__init__(SIGN_IN_REFUSED)


def check_password(password: str, *about_the_user: str) -> None:
    """InvalidInput unless `password` is long enough and not easily guessed
    (common, repetitive, a keyboard walk, or made of the user's own e-mail or name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password must have at least %(least)s characters",
            field="password",
            least=MIN_PASSWORD_LENGTH,
        )
    hints = [part for text in about_the_user for part in text.replace("@", " ").split()]
    estimate = zxcvbn(password[:PASSWORD_CHECKED_LENGTH], user_inputs=hints)
    if estimate["score"] < MIN_PASSWORD_SCORE:
        # zxcvbn's own reason is English only: the refusal says what works instead.
        raise InvalidInput(
            "choose a harder password: this one is too easy to guess; a few unrelated words "
            "work well",
            field="password",
        )


def actor_id(user: User) -> str:
    """How the audit log names a person: a pseudonymous id, since the log is public.
    Officers see which account it is (console, Accounts); the e-mail is never logged."""
    return f"user:{user.id}"


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    role: str,
    actor: str,
    cooperative_id: int | None = None,
) -> User:
    email = email.strip().lower()
    checked_role = _check_role(role, cooperative_id)
    check_password(password, email, name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("%(email)s already has an account", field="email", email=email)
    user = User(
        email=email,
        name=name,
        password_hash=_hasher.hash(password),
        role=checked_role,
        cooperative_id=cooperative_id,
    )
    session.add(user)
    session.flush()
    audit_log.record(
        session,
        actor,
        "user.created",
        "user",
        user.id,
        {"role": checked_role, "cooperative_id": cooperative_id},
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The user, or SignInRefused; failures count towards a temporary lockout.

    Each attempt first claims one of the MAX_FAILED_SIGN_INS tries with a single
    conditional UPDATE ... RETURNING, so parallel guesses cannot all be checked:
    once the tries are used up (or claimed by attempts still being checked), the
    account is refused without looking at the password until the lock ends.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        raise SignInRefused()
    now = utcnow()
    lock_over = and_(User.locked_until.is_not(None), User.locked_until <= now)
    attempt = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.failed_sign_ins < MAX_FAILED_SIGN_INS, lock_over))
        .values(
            failed_sign_ins=case((lock_over, 1), else_=User.failed_sign_ins + 1),
            locked_until=case((lock_over, None), else_=User.locked_until),
        )
        .returning(User.failed_sign_ins)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if attempt is None:  # locked, or every try already claimed
        _verify(_dummy_hash(), password)
        raise SignInRefused()
    if not _verify(user.password_hash, password):
        if attempt >= MAX_FAILED_SIGN_INS:
            locked_until = now + LOCKOUT
            session.execute(
                update(User)
                .where(User.id == user.id)
                .values(locked_until=locked_until)
                .execution_options(synchronize_session=False)
            )
            # Single failures are not logged: anyone can cause them, and they are counted.
            audit_log.record(
                session,
                "anonymous",
                "user.locked",
                "user",
                user.id,
                {
                    "failed_sign_ins": MAX_FAILED_SIGN_INS,
                    "locked_until": audit_log.timestamp_text(locked_until),
                },
            )
        session.expire(user)
        raise SignInRefused()
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_sign_ins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    session.expire(user)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit_log.record(session, actor_id(user), "user.signed_in", "user", user.id, {})
    return user


def session_user(session: Session, user_id: int, generation: int) -> User | None:
    """The account a console session belongs to, if that session is still valid:
    the account is active and nothing has ended its sessions since it began."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every console session of `user` (each device), server-side."""
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["session_generation"])


def change_password(
    session: Session, user: User, current_password: str, new_password: str, actor: str
) -> None:
    """A user's own change: the current password is required, and every session
    ends (the caller signs the user in again on this device)."""
    if not _verify(user.password_hash, current_password):
        raise InvalidInput("the current password is wrong", field="current_password")
    _set_password(session, user, new_password, actor, "user.password_changed")


def reset_password(session: Session, user_id: int, new_password: str, actor: str) -> User:
    """An officer sets a new password for someone who lost theirs; their sessions end."""
    user = get_account(session, user_id)
    _set_password(session, user, new_password, actor, "user.password_reset")
    return user


def list_accounts(session: Session) -> list[User]:
    """Every account, by e-mail (officers manage them)."""
    return list(session.scalars(select(User).order_by(User.email)))


def set_active(session: Session, user_id: int, active: bool, by: User, actor: str) -> User:
    """Deactivate (every session and token stops working) or reactivate an account."""
    user = get_account(session, user_id)
    if user.id == by.id:
        raise Conflict("you cannot deactivate or reactivate your own account")
    if user.active == active:
        return user
    user.active = active
    end_sessions(session, user)
    action = "user.reactivated" if active else "user.deactivated"
    audit_log.record(session, actor, action, "user", user.id, {})
    return user


def change_role(
    session: Session, user_id: int, role: str, cooperative_id: int | None, by: User, actor: str
) -> User:
    """Give an account another role; the sessions begun under the old one end."""
    user = get_account(session, user_id)
    if user.id == by.id:
        raise Conflict("you cannot change your own role", field="role")
    new_role = _check_role(role, cooperative_id)
    if (user.role, user.cooperative_id) == (new_role, cooperative_id):
        return user
    user.role = new_role
    user.cooperative_id = cooperative_id
    end_sessions(session, user)
    audit_log.record(
        session,
        actor,
        "user.role_changed",
        "user",
        user.id,
        {"role": new_role, "cooperative_id": cooperative_id},
    )
    return user


def _set_password(session: Session, user: User, password: str, actor: str, action: str) -> None:
    check_password(password, user.email, user.name)
    user.password_hash = _hasher.hash(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    end_sessions(session, user)
    audit_log.record(session, actor, action, "user", user.id, {})


def get_account(session: Session, user_id: int) -> User:
    """The account `user_id`, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no account %(id)s", id=str(user_id))
    return user


def _check_role(role: str, cooperative_id: int | None) -> Role:
    role = one_of(Role, role, "role")
    if (role == Role.COOPERATIVE_OPERATOR) != (cooperative_id is not None):
        raise InvalidInput(
            "a cooperative operator belongs to exactly one cooperative; other roles belong to none",
            field="cooperative_id",
        )
    return role


def create_token(session: Session, user: User, name: str, actor: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is stored."""
    if not name.strip():
        raise InvalidInput("a token needs a name", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), token_hash=_token_hash(secret))
    session.add(token)
    session.flush()
    audit_log.record(
        session,
        actor,
        "token.created",
        "api_token",
        token.id,
        {"user_id": user.id, "name": token.name},
    )
    return token, secret


def user_for_token(session: Session, secret: str) -> User | None:
    token = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user


def revoke_token(session: Session, token_id: int, user: User, actor: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and user.role != Role.UNION_OFFICER):
        raise NotFound("no token %(token)s", token=str(token_id))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit_log.record(session, actor, "token.revoked", "api_token", token.id, {})
    return token


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
