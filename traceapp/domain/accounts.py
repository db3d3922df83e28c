"""People and API tokens: passwords hashed with Argon2id, tokens stored as SHA-256,
sign-in locked for a while after repeated failures."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from traceapp.clock import to_local
from traceapp.domain import audit_log
from traceapp.errors import Conflict, InvalidInput, NotFound, one_of
from traceapp.models import ApiToken, Role, User
from traceapp.models._columns import utcnow

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "tat_"

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so timing doesn't reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class SignInRefused(Exception):
    """Wrong e-mail or password, or the account is locked; the message is safe to show."""


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
    role = one_of(Role, role, "role")
    if (role == Role.COOPERATIVE_OPERATOR) != (cooperative_id is not None):
        raise InvalidInput(
            "a cooperative operator belongs to exactly one cooperative; other roles belong to none",
            field="cooperative_id",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"{email} already has an account", field="email")
    user = User(
        email=email,
        name=name,
        password_hash=_hasher.hash(password),
        role=role,
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
        {"email": email, "role": role, "cooperative_id": cooperative_id},
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The user, or SignInRefused; failures count towards a temporary lockout."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused("wrong e-mail or password")
    now = utcnow()
    if user.locked_until is not None and to_local(user.locked_until) > now:
        raise SignInRefused("too many failed sign-ins; try again in 15 minutes")
    if not _verify(user.password_hash, password):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            user.failed_sign_ins = 0
            # Single failures are not logged: anyone can cause them, and they are counted.
            audit_log.record(
                session,
                "anonymous",
                "user.locked",
                "user",
                user.id,
                {
                    "failed_sign_ins": MAX_FAILED_SIGN_INS,
                    "locked_until": audit_log.timestamp_text(user.locked_until),
                },
            )
        raise SignInRefused("wrong e-mail or password")
    user.failed_sign_ins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit_log.record(session, user.email, "user.signed_in", "user", user.id, {})
    return user


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
        raise NotFound(f"no token {token_id}")
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
