"""Signing in and out, and the API tokens a user makes for scripts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import logout_user

from traceapp.domain.accounts import (
    SignInRefused,
    authenticate,
    create_token,
    end_sessions,
    revoke_token,
)
from traceapp.domain.listings import tokens_of
from traceapp.forms.accounts import SignInForm, TokenForm
from traceapp.web.auth import actor_name, roles_required, sign_in_session, signed_in_user
from traceapp.web.console.base import ALL_ROLES, blueprint
from traceapp.web.request_session import db
from traceapp.web.security import require_attempt_counters


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site, so the sign-in page can't bounce people elsewhere.
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    error = None
    if request.method == "POST":
        require_attempt_counters()
    if form.validate_on_submit():
        try:
            user = authenticate(db(), form.email.data, form.password.data)
        except SignInRefused as exc:
            db().commit()  # the failed attempt counts towards the lockout
            error = gettext(str(exc))  # its messages are in the catalogues
            error = error[:1].upper() + error[1:]
        else:
            db().commit()
            sign_in_session(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("console.index"))
    status = 401 if error else 200
    return render_template("console/sign_in.html", form=form, error=error), status


@blueprint.post("/sign-out")
@roles_required(*ALL_ROLES)
def sign_out():
    end_sessions(db(), signed_in_user())  # a copy of the cookie stops working too
    db().commit()
    logout_user()
    session.clear()
    return redirect(url_for("console.sign_in"))


@blueprint.get("/tokens")
@roles_required(*ALL_ROLES)
def tokens():
    user = signed_in_user()
    mine = tokens_of(db(), user)
    return render_template("console/tokens.html", tokens=mine, form=TokenForm(), secret=None)


@blueprint.post("/tokens")
@roles_required(*ALL_ROLES)
def token_create():
    form = TokenForm()
    user = signed_in_user()
    secret = None
    if form.validate_on_submit():
        _token, secret = create_token(db(), user, form.name.data, actor_name())
        db().commit()
    mine = tokens_of(db(), user)
    status = 201 if secret else 422
    return render_template("console/tokens.html", tokens=mine, form=form, secret=secret), status


@blueprint.post("/tokens/<int:token_id>/revoke")
@roles_required(*ALL_ROLES)
def token_revoke(token_id: int):
    revoke_token(db(), token_id, signed_in_user(), actor_name())
    db().commit()
    flash(gettext("The token is revoked: scripts using it are refused from now on."))
    return redirect(url_for("console.tokens"))
