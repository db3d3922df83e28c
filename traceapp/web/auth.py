"""Who is asking: console sessions (Flask-Login) and API bearer tokens, and the
role checks every protected view declares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from traceapp.domain.accounts import user_for_token
from traceapp.errors import Forbidden, Unauthorized
from traceapp.models import Role, User
from traceapp.web.request_session import db

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "console.sign_in"
    csrf.init_app(app)

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        user = db().get(User, int(user_id))
        return user if user is not None and user.active else None


def acting_user() -> User | None:
    """The signed-in console user or the API token's owner for this request."""
    if getattr(g, "api_user", None) is not None:
        return g.api_user
    if current_user.is_authenticated:
        return current_user._get_current_object()
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
    """API views: `Authorization: Bearer <token>`; 401 without one, 403 for the wrong role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            user = user_for_token(db(), secret.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise Unauthorized("a valid API token is required (Authorization: Bearer ...)")
            g.api_user = user
            if roles and user.role not in roles:
                raise Forbidden("your role does not allow this")
            return view(*args, **kwargs)

        return wrapper

    return decorator
