"""Who is asking: console sessions (Flask-Login) and API bearer tokens, and the
role checks every protected view declares.

A console session holds the account id and its session generation; every request
checks both (domain/accounts.py `session_user`), so raising the generation ends
sessions server-side. The signed session cookie is refused after a working day
without a request (PERMANENT_SESSION_LIFETIME, set in create_app).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_wtf.csrf import CSRFProtect

from traceapp.domain.accounts import session_user, user_for_token
from traceapp.errors import Forbidden, Unauthorized
from traceapp.models import Role, User
from traceapp.web.request_session import db

login_manager = LoginManager()
csrf = CSRFProtect()


class ConsoleUser(UserMixin):
    """Flask-Login's view of an account; attributes are the account's own."""

    def __init__(self, user: User) -> None:
        self.user = user

    def __getattr__(self, name: str) -> Any:
        return getattr(self.user, name)

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.session_generation}"

    @property
    def is_active(self) -> bool:
        return self.user.active


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "console.sign_in"
    csrf.init_app(app)

    @login_manager.user_loader
    def _load_user(session_id: str) -> ConsoleUser | None:
        user_id, _, generation = session_id.partition(".")
        if not (user_id.isascii() and user_id.isdigit()):
            return None
        if not (generation.isascii() and generation.isdigit()):
            return None
        user = session_user(db(), int(user_id), int(generation))
        return ConsoleUser(user) if user is not None else None


def sign_in_session(user: User) -> None:
    """Begin a fresh console session for `user` (the old cookie's contents dropped)."""
    session.clear()
    session.permanent = True  # so that SESSION_LIFETIME applies
    login_user(ConsoleUser(user))


def acting_user() -> User | None:
    """The signed-in console user or the API token's owner for this request."""
    if getattr(g, "api_user", None) is not None:
        return g.api_user
    if current_user.is_authenticated:
        return current_user.user
    return None


def actor_name() -> str:
    """How the audit log names whoever makes this request."""
    user = acting_user()
    return f"user:{user.email}" if user else "anonymous"


def cooperative_scope() -> int | None:
    """The cooperative a user is confined to (operators), or None (everyone else)."""
    user = acting_user()
    return (
        user.cooperative_id if user is not None and user.role == Role.COOPERATIVE_OPERATOR else None
    )


def roles_required(*roles: str) -> Callable:
    """Console views: sign-in page for strangers, 403 for the wrong role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("console.sign_in", next=request.full_path))
            if roles and current_user.role not in roles:
                raise Forbidden("your role does not allow this")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def api_roles_required(*roles: str) -> Callable:
    """API views: `Authorization: Bearer <token>`; 401 without one, 403 for the wrong role,
    429 (before any look-up) for a client that has sent too many invalid tokens."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            failures = current_app.extensions["traceapp.auth_failures"]
            refusal = failures.refusal()
            if refusal is not None:
                return refusal
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            user = user_for_token(db(), secret.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                failures.count()
                raise Unauthorized("a valid API token is required (Authorization: Bearer ...)")
            g.api_user = user
            if roles and user.role not in roles:
                raise Forbidden("your role does not allow this")
            return view(*args, **kwargs)

        return wrapper

    return decorator
