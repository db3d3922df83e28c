"""Accounts: a user changes their own password; officers deactivate accounts,
reset passwords and change roles. Each of these ends the account's sessions."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from traceapp.domain.accounts import (
    change_password,
    change_role,
    get_account,
    list_accounts,
    reset_password,
    set_active,
)
from traceapp.forms.accounts import NewPasswordForm, PasswordChangeForm, RoleForm
from traceapp.web.auth import actor_name, roles_required, sign_in_session, signed_in_user
from traceapp.web.console.base import ALL_ROLES, OFFICER, blueprint
from traceapp.web.console.form_errors import form_status, refused
from traceapp.web.request_session import db


@blueprint.route("/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def password_change():
    form = PasswordChangeForm()
    user = signed_in_user()
    if form.validate_on_submit():
        with refused(form):
            change_password(
                db(), user, form.current_password.data, form.new_password.data, actor_name()
            )
            db().commit()
            sign_in_session(user)  # this device stays signed in; every other one is not
            flash(_("Your password is changed; other devices are signed out."))
            return redirect(url_for("console.index"))
    return render_template("console/password.html", form=form), form_status(form)


@blueprint.get("/accounts")
@roles_required(OFFICER)
def accounts():
    return render_template(
        "console/accounts.html", accounts=list_accounts(db()), me=signed_in_user(), form=RoleForm()
    )


@blueprint.post("/accounts/<int:user_id>/deactivate")
@roles_required(OFFICER)
def account_deactivate(user_id: int):
    user = set_active(db(), user_id, False, signed_in_user(), actor_name())
    db().commit()
    flash(_("%(email)s is deactivated and signed out everywhere.", email=user.email))
    return redirect(url_for("console.accounts"))


@blueprint.post("/accounts/<int:user_id>/reactivate")
@roles_required(OFFICER)
def account_reactivate(user_id: int):
    user = set_active(db(), user_id, True, signed_in_user(), actor_name())
    db().commit()
    flash(_("%(email)s can sign in again.", email=user.email))
    return redirect(url_for("console.accounts"))


@blueprint.post("/accounts/<int:user_id>/role")
@roles_required(OFFICER)
def account_role(user_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        with refused(form):
            user = change_role(
                db(),
                user_id,
                form.role.data,
                form.cooperative_id.data,
                signed_in_user(),
                actor_name(),
            )
            db().commit()
            flash(_("%(email)s has a new role and is signed out everywhere.", email=user.email))
            return redirect(url_for("console.accounts"))
    return render_template(
        "console/accounts.html", accounts=list_accounts(db()), me=signed_in_user(), form=form
    ), form_status(form)


@blueprint.route("/accounts/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(OFFICER)
def account_password(user_id: int):
    account = get_account(db(), user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        with refused(form):
            reset_password(db(), user_id, form.new_password.data, actor_name())
            db().commit()
            flash(
                _(
                    "A new password is set for %(email)s; give it to them in person.",
                    email=account.email,
                )
            )
            return redirect(url_for("console.accounts"))
    return render_template(
        "console/account_password.html", form=form, account=account
    ), form_status(form)
