"""Registering cooperatives and their products."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from traceapp.forms import Form
from traceapp.models import ProductCategory
from traceapp.web.vocabulary import choices


class CooperativeForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    registration_number = StringField(
        _l("Registration number"), validators=[DataRequired(), Length(max=40)]
    )
    commune = StringField(_l("Commune"), validators=[DataRequired(), Length(max=100)])
    province = StringField(_l("Province"), validators=[DataRequired(), Length(max=100)])
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=200)])


class ProductForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=choices("product_category", ProductCategory))
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=20)])
    ref = StringField(_l("Product reference"), validators=[DataRequired(), Length(max=20)])
    gtin = StringField(_l("GTIN (optional)"), validators=[Optional(), Length(max=14)])
