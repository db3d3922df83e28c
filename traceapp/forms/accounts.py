"""Signing in and API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from traceapp.models import Role


class SignInForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


# Made before the new-password fields so that it comes first on the change form.
_current_password = PasswordField(
    _l("Current password"), validators=[DataRequired(), Length(max=500)]
)


class NewPasswordForm(FlaskForm):
    """An officer's reset: the new password twice."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two do not match."))],
    )


class PasswordChangeForm(NewPasswordForm):
    """A user's own change: the current password first."""

    current_password = _current_password


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[role.value for role in Role])
    cooperative_id = IntegerField(
        _l("Cooperative (for an operator)"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )
