"""A product's passport fields, its picture and where to buy it; a batch's expiry date."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.models import WhereToBuyKind
from traceapp.web.public.passport_wording import WHERE_TO_BUY_KIND_NAMES


class ProductPassportForm(FlaskForm):
    safety_warnings = TextAreaField(
        _l("Safety warnings"), validators=[DataRequired(), Length(max=2000)]
    )
    gtin = StringField(
        _l("GTIN (only if the product has none yet)"), validators=[Optional(), Length(max=14)]
    )


class ProductImageForm(FlaskForm):
    image = FileField(_l("Product photo (JPEG, PNG or WebP)"), validators=[FileRequired()])


class WhereToBuyForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(kind.value, WHERE_TO_BUY_KIND_NAMES[kind]) for kind in WhereToBuyKind
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    url = StringField(_l("Web address"), validators=[Optional(), Length(max=500)])
    address = StringField(_l("Street address"), validators=[Optional(), Length(max=300)])
    languages = StringField(
        _l("Languages served (e.g. vi, en, fr)"), validators=[DataRequired(), Length(max=60)]
    )


class BestBeforeForm(FlaskForm):
    best_before = DateField(_l("Best before"), validators=[DataRequired()])
