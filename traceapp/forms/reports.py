"""A consumer's report of a label from its verification page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.forms import Form


class ReportForm(Form):
    class Meta:
        # An anonymous form on a cached public page: it carries no session to protect.
        # Spam is kept out by the honeypot field and the per-address rate limit.
        csrf = False

    code = HiddenField()
    verdict = HiddenField()
    message = TextAreaField(_l("What is wrong?"), validators=[DataRequired(), Length(max=2000)])
    place = StringField(
        _l("Where did you buy it? (optional)"), validators=[Optional(), Length(max=200)]
    )
    contact = StringField(
        _l("Your phone or e-mail, if the Union may contact you (optional)"),
        validators=[Optional(), Length(max=200)],
    )
    # A field people never see (hidden by the stylesheet): only robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
