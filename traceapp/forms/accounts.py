"""Signing in and API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from traceapp.forms import Form
from traceapp.models import Role
from traceapp.web.vocabulary import choices


class SignInForm(Form):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


# Made before the new-password fields so that it comes first on the change form.
_current_password = PasswordField(
    _l("Current password"), validators=[DataRequired(), Length(max=500)]
)


class NewPasswordForm(Form):
    """An officer's reset: the new password twice."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=500)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two do not match."))],
    )


class PasswordChangeForm(NewPasswordForm):
    """A user's own change: the current password first."""

    current_password = _current_password


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=choices("role", Role))
    cooperative_id = IntegerField(
        _l("Cooperative (for an operator)"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )
